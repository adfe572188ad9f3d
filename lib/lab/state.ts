// Where the lab keeps its files: the gitignored state folder (.cloudnova/ in
// the project, or $CLOUDNOVA_STATE_DIR), folders 0700, secrets 0600.
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { run } from '../images/docker.ts';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

export function defaultStateRoot(): string {
  return process.env.CLOUDNOVA_STATE_DIR ? resolve(process.env.CLOUDNOVA_STATE_DIR) : join(PROJECT_ROOT, '.cloudnova');
}

export function projectRoot(): string {
  return PROJECT_ROOT;
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  return path;
}

/** Write a file atomically (temp + rename), so a crash never leaves half a hosts.json. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  ensureDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

export interface OperatorKey {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKey: string;
}

/** The operator's ed25519 key (ssh/id_ed25519), generated once; shared with the EC2 key pair. */
export async function ensureOperatorKey(stateRoot = defaultStateRoot()): Promise<OperatorKey> {
  const privateKeyPath = join(ensureDir(join(stateRoot, 'ssh')), 'id_ed25519');
  const publicKeyPath = `${privateKeyPath}.pub`;
  if (!existsSync(privateKeyPath)) {
    // Made aside and linked in: link() fails if the EC2 role or a parallel run wrote the key first; keep theirs.
    const tmp = `${privateKeyPath}.${process.pid}.tmp`;
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.pub`, { force: true });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cloudnova-operator', '-f', tmp]);
    try {
      linkSync(tmp, privateKeyPath);
      renameSync(`${tmp}.pub`, publicKeyPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(tmp, { force: true });
      rmSync(`${tmp}.pub`, { force: true });
    }
  }
  if (!existsSync(publicKeyPath)) {
    const r = await run('ssh-keygen', ['-y', '-f', privateKeyPath]);
    writeFileSync(publicKeyPath, r.stdout, { mode: 0o644 });
  }
  // ssh refuses a private key that others can read.
  chmodSync(privateKeyPath, 0o600);
  return { privateKeyPath, publicKeyPath, publicKey: readFileSync(publicKeyPath, 'utf8').trim() };
}
