// The compose file of a release, checked by `docker compose config` before it is used.
import { createHash } from 'node:crypto';
import type { RemoteFile } from '../stack-vars.ts';
import { releaseComposePath } from '../releases.ts';
import { renderCompose, type ComposeInput } from './render.ts';

export function composeFiles(input: ComposeInput): { releaseId: string; files: RemoteFile[] } {
  const content = renderCompose(input);
  const releaseId = releaseIdFor(content);
  return { releaseId, files: [
    {
      dest: releaseComposePath(releaseId),
      content,
      mode: '0644',
      validate: (tmp) => ['docker', 'compose', '-p', input.vars.project, '-f', tmp, 'config', '-q'],
    },
  ] };
}

/**
 * A release is named by its content: an unchanged stack renders the same id, so a
 * rerun writes nothing and switches nothing (0 changed), and a rollback is a switch
 * back to a folder that is still there.
 */
export const releaseIdFor = (composeText: string): string => createHash('sha256').update(composeText).digest('hex').slice(0, 12);
