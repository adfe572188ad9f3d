// Restore the release before the current one (playbooks/rollback.ts): gather the
// current release, the history, the failed ones and what is on disk in one call,
// decide (pure), then switch and compose up.
import type { Role } from '../../lib/core/types.ts';
import { command, composeUp } from '../../lib/modules/index.ts';
import { REMOTE_ROOT, stackVars } from '../stack-vars.ts';
import { FAILED_RELEASES, PENDING_ROLLBACK, RELEASE_HISTORY, UNHEALTHY_MARK, switchReleaseArgv } from '../releases.ts';

export interface ReleaseFacts {
  current: string;
  history: string[];
  failed: string[];
  existing: string[];
}

/**
 * The newest release of the history that is not the current one, never failed
 * verification, and is still on disk. Running rollback twice therefore goes back
 * and forth between the last two good releases, as `git checkout -` does.
 */
export function previousRelease(f: ReleaseFacts): string | undefined {
  for (const id of [...f.history].reverse()) {
    if (id && id !== f.current && !f.failed.includes(id) && f.existing.includes(id)) return id;
  }
  return undefined;
}

const GATHER = [
  'readlink "$1/compose.yaml" | sed -n "s|^releases/\\([^/]*\\)/compose.yaml$|\\1|p"',
  'echo @@; cat "$2" 2>/dev/null',
  'echo @@; cat "$3" 2>/dev/null',
  'echo @@; ls "$1/releases" 2>/dev/null; true',
].join('\n');

export function parseReleaseFacts(stdout: string): ReleaseFacts {
  const [current = '', history = '', failed = '', existing = ''] = stdout.split('@@\n');
  const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
  return { current: current.trim(), history: lines(history), failed: lines(failed), existing: lines(existing) };
}

export const rollbackRole: Role = {
  name: 'rollback',
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const r = await ctx.conn.exec(['sh', '-c', GATHER, 'sh', REMOTE_ROOT, RELEASE_HISTORY, FAILED_RELEASES], { sudo: true });
    const facts = parseReleaseFacts(r.stdout);
    const target = previousRelease(facts);
    if (!target) {
      throw new Error(`${ctx.host.name}: no earlier good release to restore (current ${facts.current || 'none'}; see ${RELEASE_HISTORY})`);
    }
    const sw = switchReleaseArgv(target);
    await ctx.task(`switch back to release ${target}`, command({ argv: sw.argv, unless: sw.unless }));
    await ctx.task(`compose up (${vars.project})`, composeUp({ project: vars.project, file: `${REMOTE_ROOT}/compose.yaml`, wait: true }));
    // The markers of an earlier, unverified switch no longer describe what is live.
    await ctx.task('clear pending-rollback markers', command({ argv: ['rm', '-f', PENDING_ROLLBACK, UNHEALTHY_MARK], unless: ['sh', '-c', '[ ! -e "$1" ] && [ ! -e "$2" ]', 'sh', PENDING_ROLLBACK, UNHEALTHY_MARK] }));
  },
};
