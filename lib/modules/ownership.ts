// Facts about one path and the mode/owner/group part of planning, shared by
// file, copy and template.
import type { Change } from '../core/types.ts';
import { Shell, sh } from '../connection/quote.ts';

export interface PathFacts {
  exists: boolean;
  type?: 'file' | 'directory' | 'link' | 'other';
  /** Four-digit octal, e.g. '0644'. */
  mode?: string;
  owner?: string;
  group?: string;
  /** Numeric ids: a container's uid (grafana's 472) often has no name on the host. */
  uid?: string;
  gid?: string;
  size?: number;
}

export interface Ownership {
  /** Octal string, '0644' or '644'. */
  mode?: string;
  owner?: string;
  group?: string;
}

/** `stat` format parsed by parseStat: type|mode|owner|group|size|uid|gid. */
export const STAT_FORMAT = '%F|%a|%U|%G|%s|%u|%g';

export function statArgv(path: string): string[] {
  return ['stat', '-c', STAT_FORMAT, '--', path];
}

/** stat that prints nothing for a missing path but still fails when sudo itself fails. */
export function statLine(path: string): Shell {
  return new Shell(`${sh(statArgv(path)).text} 2>/dev/null || true`);
}

export function parseStat(line: string): PathFacts {
  const parts = line.trim().split('|');
  if (parts.length < 5) return { exists: false };
  const [kind, mode, owner, group, size, uid, gid] = parts;
  const type = kind.includes('directory') ? 'directory' : kind.includes('regular') ? 'file' : kind.includes('link') ? 'link' : 'other';
  const facts: PathFacts = { exists: true, type, mode: normalizeMode(mode), owner, group, size: Number(size) };
  if (uid !== undefined) facts.uid = uid;
  if (gid !== undefined) facts.gid = gid;
  return facts;
}

/** '644' and '0644' are the same mode; compare them as four-digit strings. */
export function normalizeMode(mode: string): string {
  if (!/^[0-7]{3,4}$/.test(mode)) throw new Error(`bad mode '${mode}': expected octal like '0644'`);
  return mode.padStart(4, '0');
}

/** Changes needed on an existing path's mode, owner and group. */
export function planOwnership(want: Ownership, facts: PathFacts): Change[] {
  const changes: Change[] = [];
  if (want.mode && facts.mode !== normalizeMode(want.mode)) changes.push({ what: `mode ${facts.mode} -> ${normalizeMode(want.mode)}` });
  // A numeric owner compares with the uid, a name with the name.
  const sameOwner = (want: string, name?: string, id?: string) => (/^\d+$/.test(want) ? id === want : name === want);
  if (want.owner && !sameOwner(want.owner, facts.owner, facts.uid)) changes.push({ what: `owner ${facts.owner} -> ${want.owner}` });
  if (want.group && !sameOwner(want.group, facts.group, facts.gid)) changes.push({ what: `group ${facts.group} -> ${want.group}` });
  return changes;
}

/** chmod/chown commands that bring an existing path to `want`. */
export function ownershipCommands(path: string, want: Ownership): string[][] {
  const cmds: string[][] = [];
  if (want.mode) cmds.push(['chmod', normalizeMode(want.mode), '--', path]);
  if (want.owner || want.group) {
    const spec = want.group ? `${want.owner ?? ''}:${want.group}` : want.owner!;
    cmds.push(['chown', spec, '--', path]);
  }
  return cmds;
}
