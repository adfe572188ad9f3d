// The project's own known_hosts (state folder ssh/known_hosts), in OpenSSH's
// format so `ssh -o UserKnownHostsFile=...` and `ssh-keygen -R` work on it too.
// Entries are keyed `[address]:port` even for port 22: lab hosts share 127.0.0.1.
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownKey {
  type: string;
  /** Base64 of the SSH wire-format public key blob. */
  key: string;
}

export type HostKeyVerdict = 'known' | 'new' | 'changed';

/** The name a host is recorded under. */
export function knownHostsName(address: string, port: number): string {
  return `[${address}]:${port}`;
}

/** The key type written at the start of an SSH public key blob (uint32 length + name). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

/** host name -> keys. Comments, blank lines, hashed (|1|) and marker (@) lines are skipped. */
export function parseKnownHosts(text: string): Map<string, KnownKey[]> {
  const hosts = new Map<string, KnownKey[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@') || line.startsWith('|')) continue;
    const [names, type, key] = line.split(/\s+/);
    if (!names || !type || !key) continue;
    for (const name of names.split(',')) {
      const list = hosts.get(name) ?? [];
      list.push({ type, key });
      hosts.set(name, list);
    }
  }
  return hosts;
}

/** Compare a presented key with what the file knows about that host. */
export function verdict(known: KnownKey[] | undefined, presented: KnownKey): HostKeyVerdict {
  if (!known || known.length === 0) return 'new';
  if (known.some((k) => k.type === presented.type && k.key === presented.key)) return 'known';
  // A known host offering a key we never saw (of any type) is refused, as OpenSSH does.
  return 'changed';
}

export function formatKnownHostsLine(name: string, key: KnownKey): string {
  return `${name} ${key.type} ${key.key}\n`;
}

/** The fix a user should run when a host was rebuilt on purpose. */
export function removeHostHint(file: string, name: string): string {
  return `ssh-keygen -f '${file}' -R '${name}'`;
}

// Connections to many hosts verify at once: serialise reads+appends in this process.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Check a presented host key; record it on first contact (trust on first use).
 * Returns the verdict; 'changed' means the caller must refuse the connection.
 */
export function checkAndRecord(file: string, name: string, presented: KnownKey): Promise<HostKeyVerdict> {
  const next = queue.then(async () => {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    const result = verdict(parseKnownHosts(text).get(name), presented);
    if (result === 'new') {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await appendFile(file, formatKnownHostsLine(name, presented), { mode: 0o600 });
    }
    return result;
  });
  queue = next.catch(() => {});
  return next;
}

/** known_hosts text without the lines of `names` (a host whose address is given up, e.g. a terminated instance). */
export function withoutHosts(text: string, names: readonly string[]): string {
  const drop = new Set(names);
  return text
    .split('\n')
    .filter((line) => {
      const first = line.trim().split(/\s+/)[0] ?? '';
      return !first.split(',').some((n) => drop.has(n));
    })
    .join('\n');
}

/** Forget hosts, so a new machine that gets a released address is not refused. Atomic rewrite. */
export function forgetHosts(file: string, names: readonly string[]): Promise<void> {
  const next = queue.then(async () => {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (text === undefined) return;
    const kept = withoutHosts(text, names);
    if (kept === text) return;
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, kept, { mode: 0o600 });
    await rename(tmp, file);
  });
  queue = next.catch(() => {});
  return next;
}
