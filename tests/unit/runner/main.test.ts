import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../../lib/core/types.ts';
import { ConfigError } from '../../../lib/core/types.ts';
import { type CliDeps, runPlaybookCli } from '../../../lib/runner/main.ts';
import { silentReporter } from '../../../lib/report/reporter.ts';
import { FakeConnection } from '../../helpers/fake-connection.ts';
import { fakeHost, fakeInventory, fakeModule } from '../../helpers/fake-run.ts';

async function cli(argv: string[], role: Role, extra: Partial<CliDeps> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'cli-'));
  let out = '';
  let err = '';
  const deps: Partial<CliDeps> = {
    loadInventory: async () => fakeInventory([fakeHost('web1', ['all', 'web']), fakeHost('web2', ['all', 'web'])]),
    openState: async () => ({ root: dir, path: (...p: string[]) => join(dir, ...p), secret: async () => ({ value: '', path: '' }) }),
    connect: async (h) => new FakeConnection(h.name),
    reporter: () => silentReporter,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    ...extra,
  };
  const code = await runPlaybookCli({ argv, describe: 'site.ts: deploy', plays: () => [{ name: 'site', hosts: ['web'], roles: [role] }], deps });
  process.exitCode = 0;
  return { code, out, err, dir };
}

const okRole: Role = { name: 'app', async run(ctx) { await ctx.task('t', fakeModule('t', [], [])); } };

test('a good run exits 0 and writes --json and the last-run report', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'out-'));
  const r = await cli(['--json', join(dir, 'r.json')], okRole);
  assert.equal(r.code, 0);
  const json = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'));
  assert.deepEqual(Object.keys(json.hosts), ['web1', 'web2']);
  assert.equal(json.hosts.web1.execs, 1);
  assert.ok(JSON.parse(await readFile(join(r.dir, 'reports', 'last-run.json'), 'utf8')).hosts.web2);
});

test('a failed host gives exit 1', async () => {
  const bad: Role = { name: 'app', async run(ctx) { if (ctx.host.name === 'web2') throw new Error('x'); } };
  assert.equal((await cli([], bad)).code, 1);
});

test('bad flags, unknown tags and inventory ConfigErrors are one line and exit 2', async () => {
  const flag = await cli(['--forks', 'x'], okRole);
  assert.deepEqual([flag.code, flag.err], [2, "error: --forks: expected a whole number, got 'x'\n"]);
  const tag = await cli(['--tags', 'nope'], okRole);
  assert.deepEqual([tag.code, tag.err], [2, "error: command line: --tags: unknown tag 'nope'; known tags: app\n"]);
  const inv = await cli([], okRole, { loadInventory: async () => { throw new ConfigError('inventory.ts', 'envs.lab.hosts.web1.prot', 'unknown key'); } });
  assert.deepEqual([inv.code, inv.err], [2, 'error: inventory.ts: envs.lab.hosts.web1.prot: unknown key\n']);
});

test('--help lists the flags and exits 0', async () => {
  const r = await cli(['--help'], okRole);
  assert.equal(r.code, 0);
  assert.match(r.out, /^site\.ts: deploy\n\nFlags:\n/);
  assert.match(r.out, /--skip-tags A,B/);
});
