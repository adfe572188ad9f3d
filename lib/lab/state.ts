// Where the lab keeps its files: the gitignored state folder (.cloudnova/ in
// the project, or $CLOUDNOVA_STATE_DIR), folders 0700, secrets 0600.
import { ensureOperatorKey as ensureSshKey } from '../connection/operator-key.ts';
import { openState } from '../state.ts';
import { existsSync, mkdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

export function defaultStateRoot(): string {
  return process.env.CLOUDNOVA_STATE_DIR ? resolve(process.env.CLOUDNOVA_STATE_DIR) : join(PROJECT_ROOT, '.cloudnova');
}

/**
 * The state root as one absolute spelling: symlinks resolved in the part that exists,
 * so a state folder not yet (re)created still matches the path it will have.
 */
export function stateRootId(root: string): string {
  const abs = resolve(root);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(stateRootId(parent), basename(abs));
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
  const key = await ensureSshKey(await openState(stateRoot), { create: true });
  const publicKeyPath = `${key.privateKeyPath}.pub`;
  // docker cp installs the .pub file in lab hosts: write it when only the private key is there.
  if (!existsSync(publicKeyPath)) writeFileSync(publicKeyPath, `${key.publicKey}\n`, { mode: 0o644 });
  return { privateKeyPath: key.privateKeyPath, publicKeyPath, publicKey: key.publicKey! };
}
