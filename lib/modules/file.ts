// A path's existence, type, mode and ownership: directories, empty files, absence.
import type { Change, Connection, Module, Plan } from '../core/types.ts';
import { and, sh } from '../connection/quote.ts';
import { type Ownership, type PathFacts, ownershipCommands, parseStat, planOwnership, statLine } from './ownership.ts';

export interface FileSpec extends Ownership {
  path: string;
  /** 'file' creates an empty file when missing; 'directory' creates parents too. */
  state: 'file' | 'directory' | 'absent';
  sudo?: boolean;
}

export function planFile(spec: FileSpec, facts: PathFacts): Plan {
  if (spec.state === 'absent') return { changes: facts.exists ? [{ what: `remove ${facts.type}` }] : [] };
  if (!facts.exists) {
    const changes: Change[] = [{ what: spec.state === 'directory' ? 'create directory' : 'create empty file' }];
    if (spec.mode) changes.push({ what: `mode ${spec.mode}` });
    if (spec.owner || spec.group) changes.push({ what: `owner ${spec.owner ?? ''}:${spec.group ?? ''}` });
    return { changes };
  }
  if (facts.type !== spec.state) {
    throw new Error(`${spec.path} is a ${facts.type}, expected a ${spec.state}: remove it first (state: 'absent')`);
  }
  return { changes: planOwnership(spec, facts) };
}

/** The single command line that applies a FileSpec. */
export function fileApplyLine(spec: FileSpec, facts: PathFacts) {
  if (spec.state === 'absent') return sh(['rm', '-rf', '--', spec.path]);
  const steps: string[][] = [];
  if (!facts.exists) steps.push(spec.state === 'directory' ? ['mkdir', '-p', '--', spec.path] : ['touch', '--', spec.path]);
  steps.push(...ownershipCommands(spec.path, spec));
  return and(...(steps.length ? steps : [['true']]));
}

export function file(spec: FileSpec): Module<PathFacts> {
  const sudo = spec.sudo ?? true;
  return {
    kind: 'file',
    subject: spec.path,
    async gather(conn: Connection) {
      return parseStat((await conn.exec(statLine(spec.path), { sudo })).stdout);
    },
    plan: (facts) => planFile(spec, facts),
    async apply(conn, _plan, facts) {
      await conn.exec(fileApplyLine(spec, facts), { sudo });
    },
  };
}

export function directory(path: string, own: Ownership & { sudo?: boolean } = {}): Module<PathFacts> {
  return file({ path, state: 'directory', ...own });
}
