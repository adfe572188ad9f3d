// The runner and modules over real SSH (tests/helpers/sshd.ts): idempotency,
// --check, and an unreachable host that stops only itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool } from '../../lib/connection/index.ts';
import type { HostConfig, Inventory, Play, Role, RunOptions, RunReport } from '../../lib/core/types.ts';
import { command, copy, directory, file } from '../../lib/modules/index.ts';
import { exitCodeFor, runPlaybook } from '../../lib/runner/run.ts';
import { openState } from '../../lib/state.ts';
import { type TestSshd, startSshd } from '../helpers/sshd.ts';

const OPTIONS: RunOptions = { check: false, diff: false, tags: [], skipTags: [], limit: [], forks: 0, verbose: false };
const BASE = `/tmp/cloudnova-run-ssh-${process.pid}`;
const MODULES = 5;

let sshd: TestSshd;
let stateRoot: string;

before(async () => {
  sshd = await startSshd({ name: 'web1' });
  stateRoot = await mkdtemp(join(tmpdir(), 'cn-run-ssh-'));
});
after(async () => {
  await rm(BASE, { recursive: true, force: true });
  await rm(stateRoot, { recursive: true, force: true });
  await sshd.stop();
});

const role: Role = {
  name: 'files',
  async run(ctx) {
    const dir = `${BASE}/${ctx.host.name}`;
    await ctx.task('folder', directory(dir, { mode: '0750' }));
    await ctx.task('marker', file({ path: `${dir}/marker`, state: 'file', mode: '0600' }));
    await ctx.task('config', copy({ dest: `${dir}/app.conf`, content: 'listen 80;\n', mode: '0644' }));
    await ctx.task('secret', copy({ dest: `${dir}/secret`, content: 'not-real\n', mode: '0600', secret: true }));
    await ctx.task('init', command({ argv: ['touch', `${dir}/initialised`], creates: `${dir}/initialised` }));
  },
};

function inventoryOf(hosts: HostConfig[]): Inventory {
  return { env: 'test', file: 'inventory.ts', hosts, groups: { all: hosts.map((h) => h.name), web: hosts.map((h) => h.name) }, vars: {} };
}

async function run(hosts: HostConfig[], options: Partial<RunOptions> = {}): Promise<RunReport> {
  const state = await openState(stateRoot);
  const pool = new ConnectionPool({ state, retries: 1, retryDelayMs: 50 });
  const plays: Play[] = [{ name: 'site', hosts: ['web'], roles: [role] }];
  try {
    return await runPlaybook({ plays, inventory: inventoryOf(hosts), options: { ...OPTIONS, ...options }, state, connect: (h) => pool.get(h) });
  } finally {
    await pool.closeAll();
  }
}

test('--check on a fresh host changes nothing', async () => {
  const report = await run([sshd.host], { check: true });
  assert.equal(report.hosts.web1.failed, 0, report.hosts.web1.error);
  assert.ok(report.hosts.web1.changed > 0);
  const probe = await run([sshd.host], { check: true });
  assert.equal(probe.hosts.web1.changed, report.hosts.web1.changed, 'a check run must leave the host as it was');
  // The "remote" host is this machine: nothing may exist yet.
  assert.equal(existsSync(BASE), false);
});

test('first run changes, second run: 0 changed and at most one exec per module', async () => {
  const first = await run([sshd.host]);
  assert.equal(first.hosts.web1.failed, 0, first.hosts.web1.error);
  assert.equal(first.hosts.web1.changed, MODULES);
  const second = await run([sshd.host]);
  assert.equal(second.hosts.web1.changed, 0);
  assert.equal(second.hosts.web1.ok, MODULES);
  assert.ok(second.hosts.web1.execs <= MODULES, `${second.hosts.web1.execs} execs for ${MODULES} no-op modules`);
  assert.equal(exitCodeFor(second), 0);
});

test('an unreachable host is reported while another host succeeds', async () => {
  const down: HostConfig = { ...sshd.host, name: 'down', port: 1 };
  const report = await run([sshd.host, down]);
  assert.equal(report.hosts.down.unreachable, 1);
  assert.match(report.hosts.down.error ?? '', /down: unreachable/);
  assert.equal(report.hosts.web1.failed, 0);
  assert.equal(report.hosts.web1.ok, MODULES);
  assert.equal(exitCodeFor(report), 1);
});
