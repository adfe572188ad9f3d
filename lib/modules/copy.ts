// A file's content, mode and ownership. Compares sha256 on the host so an
// unchanged file costs one exec and no transfer; writes atomically through
// conn.writeFile. The old content is fetched only when it differs and is small,
// for --diff; secrets are never fetched nor printed.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Change, Connection, Module, Plan, WriteFileOptions } from '../core/types.ts';
import { Shell, and, quote } from '../connection/quote.ts';
import { unifiedDiff } from './diff.ts';
import { type Ownership, type PathFacts, ownershipCommands, parseStat, planOwnership, statLine } from './ownership.ts';
import { batch, parseSections, section } from './probe.ts';

/** Above this size the old content is not fetched for a diff. */
export const MAX_DIFF_BYTES = 256 * 1024;

export interface CopySpec extends Ownership {
  dest: string;
  /** The content itself, or `src`: a file on the controller (path or file URL). */
  content?: string | Buffer;
  src?: string | URL;
  /** Never print the content nor its diff. */
  secret?: boolean;
  /** Check the candidate before it replaces dest, e.g. (tmp) => ['nginx', '-t', '-c', tmp]. */
  validate?: WriteFileOptions['validate'];
  sudo?: boolean;
}

export interface CopyFacts {
  file: PathFacts;
  sha256?: string;
  /** The host's content, when it differs from the desired one and is small enough to diff. */
  oldContent?: Buffer;
}

/** What planCopy compares against the host: the resolved desired content. */
export interface DesiredFile extends Ownership {
  dest: string;
  content: Buffer;
  secret?: boolean;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One line: stat, checksum, and the old content only when it differs and is small. */
export function gatherCopyLine(dest: string, wantSha: string, fetchOld: boolean): Shell {
  const p = quote(dest);
  const probes = [section('stat', statLine(dest)), section('sha256', new Shell(`[ -f ${p} ] && sha256sum < ${p} | cut -c1-64`))];
  if (fetchOld) {
    probes.push(
      section(
        'old',
        new Shell(`[ -f ${p} ] && [ "$(stat -c %s -- ${p})" -le ${MAX_DIFF_BYTES} ] && [ "$(sha256sum < ${p} | cut -c1-64)" != ${quote(wantSha)} ] && base64 -w0 < ${p}`),
      ),
    );
  }
  return batch(...probes);
}

export function parseCopyFacts(stdout: string): CopyFacts {
  const s = parseSections(stdout);
  const file = parseStat(s.stat ?? '');
  return {
    file,
    sha256: s.sha256 || undefined,
    oldContent: s.old ? Buffer.from(s.old.trim(), 'base64') : undefined,
  };
}

export function planCopy(want: DesiredFile, facts: CopyFacts): Plan {
  if (facts.file.exists && facts.file.type !== 'file') {
    throw new Error(`${want.dest} is a ${facts.file.type} on the host, expected a file`);
  }
  const changes: Change[] = [];
  const contentDiffers = !facts.file.exists || facts.sha256 !== sha256(want.content);
  if (!facts.file.exists) changes.push({ what: 'create' });
  else if (contentDiffers) changes.push({ what: 'content' });
  if (facts.file.exists) changes.push(...planOwnership(want, facts.file));
  if (!contentDiffers) return { changes };
  return { changes, diff: contentDiff(want, facts) };
}

function contentDiff(want: DesiredFile, facts: CopyFacts): string {
  if (want.secret) return `(secret ${want.dest} ${facts.file.exists ? 'changed' : 'created'}; diff hidden)\n`;
  const old = facts.file.exists ? facts.oldContent : Buffer.alloc(0);
  if (old === undefined) return `(${want.dest}: content differs; too large to diff)\n`;
  if (isBinary(old) || isBinary(want.content)) return `(${want.dest}: binary content differs)\n`;
  return unifiedDiff(old.toString('utf8'), want.content.toString('utf8'), {
    oldLabel: facts.file.exists ? `${want.dest} (on host)` : '/dev/null',
    newLabel: `${want.dest} (desired)`,
  });
}

function isBinary(data: Buffer): boolean {
  return data.subarray(0, 8000).includes(0);
}

/** Shared by copy and template: a module writing content produced on the controller. */
export function contentModule(
  kind: string,
  spec: Omit<CopySpec, 'content' | 'src'>,
  resolveContent: () => Promise<Buffer>,
): Module<CopyFacts> {
  const sudo = spec.sudo ?? true;
  let content: Buffer | undefined;
  const desired = (): DesiredFile => {
    if (!content) throw new Error(`${kind} ${spec.dest}: plan() called before gather()`);
    return { dest: spec.dest, content, mode: spec.mode, owner: spec.owner, group: spec.group, secret: spec.secret };
  };
  return {
    kind,
    subject: spec.dest,
    async gather(conn: Connection) {
      content = await resolveContent();
      const r = await conn.exec(gatherCopyLine(spec.dest, sha256(content), !spec.secret), { sudo });
      return parseCopyFacts(r.stdout);
    },
    plan: (facts) => planCopy(desired(), facts),
    async apply(conn, plan) {
      const d = desired();
      if (plan.changes.some((c) => c.what === 'create' || c.what === 'content')) {
        await conn.writeFile(d.dest, d.content, { mode: d.mode, owner: d.owner, group: d.group, sudo, validate: spec.validate });
      } else {
        await conn.exec(and(...ownershipCommands(d.dest, d)), { sudo });
      }
    },
  };
}

export function copy(spec: CopySpec): Module<CopyFacts> {
  if ((spec.content === undefined) === (spec.src === undefined)) {
    throw new Error(`copy ${spec.dest}: give exactly one of 'content' or 'src'`);
  }
  return contentModule('copy', spec, async () => {
    if (spec.content !== undefined) return Buffer.from(spec.content);
    try {
      return await readFile(spec.src!);
    } catch (e) {
      throw new Error(`copy ${spec.dest}: cannot read source ${spec.src}: ${(e as Error).message}`);
    }
  });
}
