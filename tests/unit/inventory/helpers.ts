// Writes inventory modules into a temp folder so each test loads a real file.
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEd25519Key } from '../../../lib/connection/operator-key.ts';

export interface Workspace {
  dir: string;
  /** Write an inventory module exporting `definition`; returns its path. */
  inventory(definition: unknown, name?: string): Promise<string>;
  /** A private key file with the given mode: a real unencrypted ed25519 key unless `content` is given. */
  key(name: string, mode?: number, content?: string): Promise<string>;
  cleanup(): Promise<void>;
}

let counter = 0;

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'cn-inv-'));
  return {
    dir,
    async inventory(definition, name = `inventory-${++counter}.ts`) {
      const file = join(dir, name);
      await writeFile(file, `export default ${JSON.stringify(definition, null, 2)};\n`);
      return file;
    },
    async key(name, mode = 0o600, content = makeEd25519Key('test').privatePem) {
      const file = join(dir, name);
      await writeFile(file, content, { mode });
      await chmod(file, mode);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
