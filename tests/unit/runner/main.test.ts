import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../../lib/core/types.ts';
import { ConfigError } from '../../../lib/core/types.ts';
import { type CliDeps, type PlaybookCli, runPlaybookCli } from '../../../lib/runner/main.ts';
import { silentReporter } from '../../../lib/report/reporter.ts';
import { FakeConnection } from '../../helpers/fake-connection.ts';
import { fakeHost, fakeInventory, fakeModule } from '../../helpers/fake-run.ts';

async function cli(argv: string[], role: Role, extra: Partial<CliDeps> = {}, more: Partial<PlaybookCli> = {}) {
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
  const code = await runPlaybookCli({ argv, describe: 'site.ts: deploy', plays: () => [{ name: 'site', hosts: ['web'], roles: [role] }], deps, ...more });
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

test('--json naming a folder, or inside a missing folder, is exit 2 before the state or inventory is touched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'out-'));
  let touched = 0;
  const deps = { openState: async () => { touched++; throw new Error('opened'); }, loadInventory: async () => { touched++; throw new Error('loaded'); } };
  const folder = await cli(['--json', dir], okRole, deps);
  assert.deepEqual([folder.code, folder.err], [2, `error: --json ${dir}: is a directory; give a file name, e.g. ${dir}/report.json\n`]);
  const missing = await cli(['--json', join(dir, 'nope', 'r.json')], okRole, deps);
  assert.deepEqual([missing.code, missing.err], [2, `error: --json ${join(dir, 'nope', 'r.json')}: folder ${join(dir, 'nope')} does not exist; create it first or pick another path\n`]);
  await writeFile(join(dir, 'file'), '');
  const underFile = await cli(['--json', join(dir, 'file', 'r.json')], okRole, deps);
  assert.equal(underFile.code, 2);
  assert.match(underFile.err, /^error: --json .*: .*file is not a folder\n$/);
  assert.equal(touched, 0);
});

test('unknown --tags/--skip-tags fail before prepare provisions anything; plays see the prepared inventory', async () => {
  const verify: Role = { name: 'verify', tags: ['always'], async run() {} };
  let prepared = 0;
  const seen: number[] = [];
  const more: Partial<PlaybookCli> = {
    prepare: async (inv) => { prepared++; return { ...inv, hosts: inv.hosts.slice(0, 1), groups: { all: ['web1'], web: ['web1'] } }; },
    plays: (inv) => { seen.push(inv.hosts.length); return [{ name: 'site', hosts: ['web'], roles: [okRole, verify] }]; },
  };
  const tag = await cli(['--tags', 'nope'], okRole, {}, more);
  assert.deepEqual([tag.code, tag.err], [2, "error: command line: --tags: unknown tag 'nope'; known tags: always, app, verify\n"]);
  const skip = await cli(['--skip-tags', 'app,nope'], okRole, {}, more);
  assert.deepEqual([skip.code, skip.err], [2, "error: command line: --skip-tags: unknown tag 'nope'; known tags: always, app, verify\n"]);
  assert.equal(prepared, 0);
  // 'always' is a real tag (the verify role carries it): accepted, and the run goes on to prepare.
  const always = await cli(['--tags', 'always'], okRole, {}, more);
  assert.deepEqual([always.code, always.err], [0, '']);
  assert.equal(prepared, 1);
  assert.deepEqual(seen, [2, 2, 2, 1]);
});
