// The state folder: everything a run keeps outside git (keys, known_hosts,
// certificates, generated passwords, caches, reports). Folders 0700, secrets 0600.
import { chmodSync, mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { StateDir } from './core/types.ts';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');

/** $CLOUDNOVA_STATE_DIR, or .cloudnova/ in the project root. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLOUDNOVA_STATE_DIR ? resolve(env.CLOUDNOVA_STATE_DIR) : join(PROJECT_ROOT, '.cloudnova');
}

/** Open (and create, 0700) the state folder. */
export async function openState(root: string = stateRoot()): Promise<StateDir> {
  return new LocalStateDir(root);
}

const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class LocalStateDir implements StateDir {
  readonly root: string;
  // Two hosts asking for the same secret at once must get the same value.
  private readonly pending = new Map<string, Promise<{ value: string; path: string }>>();

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    chmodSync(this.root, 0o700);
  }

  path(...parts: string[]): string {
    const full = resolve(this.root, ...parts);
    const rel = relative(this.root, full);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`state path escapes the state folder: ${parts.join('/')}`);
    mkdirSync(dirname(full), { recursive: true, mode: 0o700 });
    return full;
  }

  secret(name: string, make: () => string): Promise<{ value: string; path: string }> {
    if (!SECRET_NAME.test(name)) throw new Error(`secret name '${name}': use letters, digits, '.', '_' or '-'`);
    let result = this.pending.get(name);
    if (!result) {
      result = this.readOrCreate(this.path('secrets', name), make);
      this.pending.set(name, result);
    }
    return result;
  }

  private async readOrCreate(path: string, make: () => string): Promise<{ value: string; path: string }> {
    try {
      const value = await readFile(path, 'utf8');
      // A run cut between creating and writing the file leaves it empty: never use '' as a password.
      if (!value) throw new Error(`secret ${path} is empty: delete it to have a new one generated`);
      return { value, path };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const value = make();
    if (!value) throw new Error(`secret '${name(path)}': the generator returned an empty value`);
    try {
      // 'wx': another process that created it first wins; we then read theirs.
      await writeFile(path, value, { mode: 0o600, flag: 'wx' });
      return { value, path };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return { value: await readFile(path, 'utf8'), path };
    }
  }
}

function name(path: string): string {
  return path.split('/').pop() ?? path;
}
