// The modules and the runner against the local connection in a temp folder:
// idempotency, --check, template errors, command failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../lib/connection/local.ts';
import type { HostConfig, Plan, Role, RunOptions, RunReport } from '../../lib/core/types.ts';
import { type Reporter, silentReporter } from '../../lib/report/reporter.ts';
import { command, copy, directory, file, template } from '../../lib/modules/index.ts';
import { exitCodeFor, runPlaybook } from '../../lib/runner/run.ts';
import { fakeInventory, fakeState } from '../helpers/fake-run.ts';

const base: RunOptions = { check: false, diff: false, tags: [], skipTags: [], limit: [], forks: 0, verbose: false };

function localHost(name: string, vars: Record<string, unknown>): HostConfig {
  return { name, address: '127.0.0.1', port: 22, user: 'root', privateKeyPath: '', groups: ['all'], vars, become: false, local: true };
}

async function fixture() {
  const root = await mkdtemp(join(tmpdir(), 'cloudnova-it-'));
  const templates = join(root, 'templates');
  await mkdir(templates, { recursive: true });
  await writeFile(join(templates, 'app.conf.ejs'), 'listen <%= port %>;\nname <%= name %>;\n');
  await writeFile(join(templates, 'broken.ejs'), 'ok\nok\nuser <%= missingVar %>\n');
  const handlerRuns: string[] = [];
  const role: Role = {
    name: 'files',
    async run(ctx) {
      const out = join(root, ctx.host.name);
      ctx.handler('reload app', async () => void handlerRuns.push(ctx.host.name));
      await ctx.task('folder', directory(join(out, 'conf'), { mode: '0750' }));
      await ctx.task('marker', file({ path: join(out, 'conf', 'marker'), state: 'file', mode: '0600' }));
      await ctx.task('static', copy({ dest: join(out, 'conf', 'static.txt'), content: 'static\n', mode: '0644' }), { notify: 'reload app' });
      await ctx.task('secret', copy({ dest: join(out, 'conf', 'secret'), content: 'hunter2\n', mode: '0600', secret: true }));
      await ctx.task('config', template({ src: join(templates, 'app.conf.ejs'), dest: join(out, 'conf', 'app.conf'), vars: ctx.vars }), { notify: 'reload app' });
      await ctx.task('init', command({ argv: ['sh', '-c', `echo done > ${join(out, 'conf', 'init')}`], creates: join(out, 'conf', 'init') }));
    },
  };
  return { root, templates, role, handlerRuns };
}

function runLocal(
  role: Role,
  options: Partial<RunOptions> = {},
  hosts = [localHost('h1', { port: 8080, name: 'one' }), localHost('h2', { port: 8081, name: 'two' })],
  reporter?: Reporter,
) {
  return runPlaybook({
    reporter,
    plays: [{ name: 'p', hosts: ['all'], roles: [role] }],
    inventory: fakeInventory(hosts),
    options: { ...base, ...options },
    state: fakeState,
    controller: new LocalConnection({ hostName: 'controller' }),
    connect: async (h) => new LocalConnection({ hostName: h.name }),
  });
}

const total = (r: RunReport, k: 'changed' | 'ok' | 'failed') => Object.values(r.hosts).reduce((n, h) => n + h[k], 0);

test('--check changes nothing; a real run converges; a second run changes nothing at one exec per task', async () => {
  const { root, role, handlerRuns } = await fixture();
  const checked = await runLocal(role, { check: true });
  assert.equal(total(checked, 'changed'), 12);
  assert.deepEqual(await readdir(root), ['templates']);
  assert.deepEqual(handlerRuns, []);

  const first = await runLocal(role);
  assert.equal(total(first, 'failed'), 0, JSON.stringify(first));
  assert.equal(total(first, 'changed'), 14); // 6 tasks + handler, on 2 hosts
  assert.deepEqual(handlerRuns.sort(), ['h1', 'h2']);
  assert.equal(await readFile(join(root, 'h2', 'conf', 'app.conf'), 'utf8'), 'listen 8081;\nname two;\n');
  assert.equal((await stat(join(root, 'h1', 'conf', 'secret'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(root, 'h1', 'conf'))).mode & 0o777, 0o750);

  const second = await runLocal(role);
  assert.equal(total(second, 'changed'), 0);
  assert.equal(total(second, 'ok'), 12);
  assert.equal(second.hosts.h1.execs, 6);
  assert.equal(second.hosts.h1.bytesSent, 0);
  assert.equal(exitCodeFor(second), 0);
});

test('--check on a converged host with one edited file reports just that change, with a diff', async () => {
  const { root, role } = await fixture();
  await runLocal(role, {}, [localHost('h1', { port: 1, name: 'a' })]);
  await writeFile(join(root, 'h1', 'conf', 'static.txt'), 'edited by hand\n');
  const diffs: string[] = [];
  const reporter = { ...silentReporter, taskEnd: (e: { plan?: Plan }) => void (e.plan?.diff && diffs.push(e.plan.diff)) };
  const checked = await runLocal(role, { check: true, diff: true }, [localHost('h1', { port: 1, name: 'a' })], reporter);
  const changed = checked.hosts.h1.tasks.filter((t) => t.status === 'changed').map((t) => t.task);
  assert.deepEqual(changed, ['static']);
  assert.equal(diffs.length, 1);
  assert.match(diffs[0], /^-edited by hand\n\+static\n/m);
  assert.equal(await readFile(join(root, 'h1', 'conf', 'static.txt'), 'utf8'), 'edited by hand\n');
});

test('a template with an undefined variable fails naming the template and line', async () => {
  const { root, templates } = await fixture();
  const role: Role = {
    name: 'broken',
    async run(ctx) {
      await ctx.task('config', template({ src: join(templates, 'broken.ejs'), dest: join(root, 'out.conf'), vars: ctx.vars }));
    },
  };
  const report = await runLocal(role, {}, [localHost('h1', {})]);
  assert.equal(report.hosts.h1.failed, 1);
  assert.equal(report.hosts.h1.tasks[0].error, `${join(templates, 'broken.ejs')}: line 3: undefined variable 'missingVar'`);
  assert.equal(exitCodeFor(report), 1);
});

test('a failing command shows its stderr, trimmed to the last lines', async () => {
  const role: Role = {
    name: 'cmd',
    async run(ctx) {
      await ctx.task('fail', command({ argv: ['sh', '-c', 'for i in $(seq 1 50); do echo "noise $i" >&2; done; echo "disk full" >&2; exit 3'] }));
    },
  };
  const report = await runLocal(role, {}, [localHost('h1', {}), localHost('h2', {})]);
  for (const h of ['h1', 'h2']) {
    const error = report.hosts[h].error!;
    assert.match(error, /^cmd \/ fail: h\d: command failed \(exit 3\): sh -c/);
    assert.match(error, /\n…\nnoise 37\n/);
    assert.doesNotMatch(error, /noise 36\n/);
    assert.match(error, /disk full$/);
  }
});
