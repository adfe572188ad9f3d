import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Play, Role, RunOptions } from '../../../lib/core/types.ts';
import { ConfigError, RemoteCommandError, UnreachableError } from '../../../lib/core/types.ts';
import { exitCodeFor, runPlaybook } from '../../../lib/runner/run.ts';
import { knownTags } from '../../../lib/runner/select.ts';
import type { Reporter } from '../../../lib/report/reporter.ts';
import { FakeConnection } from '../../helpers/fake-connection.ts';
import { connections, fakeHost, fakeInventory, fakeModule, fakeState } from '../../helpers/fake-run.ts';

const base: RunOptions = { check: false, diff: false, tags: [], skipTags: [], limit: [], forks: 0, verbose: false };
const controller = new FakeConnection('controller');

function run(plays: Play[], options: Partial<RunOptions> = {}, hosts = [fakeHost('web1', ['all', 'web']), fakeHost('mon1', ['all', 'monitoring'])]) {
  const conns = connections();
  const lines: string[] = [];
  const reporter: Reporter = {
    runStart() {},
    taskStart() {},
    taskProgress() {},
    taskEnd: (e) => lines.push(`${e.report.status} ${e.host} ${e.role}/${e.task}`),
    hostFailed() {},
    runEnd() {},
  };
  const promise = runPlaybook({ plays, inventory: fakeInventory(hosts), options: { ...base, ...options }, connect: conns.connect, state: fakeState, reporter, controller });
  return { promise, conns, lines };
}

function nginxRole(applied: string[], handlerRuns: string[]): Role {
  return {
    name: 'nginx',
    tags: ['config'],
    async run(ctx) {
      ctx.handler('reload nginx', async () => void handlerRuns.push(ctx.host.name));
      await ctx.task('conf a', fakeModule('a', ['content'], applied), { notify: 'reload nginx', tags: ['config'] });
      await ctx.task('conf b', fakeModule('b', ['content'], applied), { notify: 'reload nginx' });
      await ctx.task('conf c', fakeModule('c', [], applied), { notify: 'reload nginx' });
    },
  };
}

test('handlers run once at the end of the role, after all its tasks', async () => {
  const applied: string[] = [];
  const handlerRuns: string[] = [];
  const { promise, lines } = run([{ name: 'site', hosts: ['web'], roles: [nginxRole(applied, handlerRuns)] }]);
  const report = await promise;
  assert.deepEqual(handlerRuns, ['web1']);
  assert.deepEqual(lines, ['changed web1 nginx/conf a', 'changed web1 nginx/conf b', 'ok web1 nginx/conf c', 'changed web1 nginx/handler: reload nginx']);
  assert.equal(report.hosts.web1.changed, 3);
  assert.equal(report.hosts.web1.execs, 3);
  assert.equal(exitCodeFor(report), 0);
});

test('--check applies nothing and runs no handler; steps skipped unless safeInCheck', async () => {
  const applied: string[] = [];
  const handlerRuns: string[] = [];
  const steps: string[] = [];
  const role: Role = {
    name: 'verify',
    async run(ctx) {
      await ctx.step('unsafe', async () => void steps.push('unsafe'));
      await ctx.step('safe', async () => void steps.push('safe'), { safeInCheck: true });
    },
  };
  const { promise, lines } = run([{ name: 'site', hosts: ['web'], roles: [nginxRole(applied, handlerRuns), role] }], { check: true });
  const report = await promise;
  assert.deepEqual(applied, []);
  assert.deepEqual(handlerRuns, []);
  assert.deepEqual(steps, ['safe']);
  assert.ok(lines.includes('skipped web1 nginx/handler: reload nginx'));
  assert.ok(lines.includes('skipped web1 verify/unsafe'));
  assert.equal(report.hosts.web1.changed, 2);
});

test('--tags selects roles and tasks; --skip-tags removes them', async () => {
  const applied: string[] = [];
  const other: Role = { name: 'other', async run(ctx) { await ctx.task('x', fakeModule('x', ['c'], applied)); } };
  const plays: Play[] = [{ name: 'site', hosts: ['all'], roles: [nginxRole(applied, []), other] }];
  await run(plays, { tags: ['config'] }).promise;
  assert.deepEqual(applied.sort(), ['mon1:a', 'web1:a']);
  applied.length = 0;
  await run(plays, { tags: ['other'] }).promise;
  assert.deepEqual(applied.sort(), ['mon1:x', 'web1:x']);
  applied.length = 0;
  await run(plays, { skipTags: ['nginx'] }).promise;
  assert.deepEqual(applied.sort(), ['mon1:x', 'web1:x']);
  assert.deepEqual(knownTags(plays), ['config', 'nginx', 'other']);
});

test('an unknown tag is an error before any connection, listing known tags', async () => {
  const { promise, conns } = run([{ name: 'site', hosts: ['all'], roles: [nginxRole([], [])] }], { tags: ['ngnix'] });
  await assert.rejects(promise, (e: unknown) => e instanceof ConfigError && /--tags: unknown tag 'ngnix'; known tags: config, nginx/.test(e.message));
  assert.equal(conns.made.size, 0);
});

test('--limit restricts hosts by name or group; matching none is an error', async () => {
  const applied: string[] = [];
  const plays: Play[] = [{ name: 'site', hosts: ['all'], roles: [nginxRole(applied, [])] }];
  const report = await run(plays, { limit: ['monitoring'] }).promise;
  assert.deepEqual(Object.keys(report.hosts), ['mon1']);
  await assert.rejects(run(plays, { limit: ['db'] }).promise, /--limit: 'db' matches no host or group of env 'test'; known: all, web, monitoring, web1, mon1/);
  const onlyWeb: Play[] = [{ name: 'site', hosts: ['web'], roles: [nginxRole(applied, [])] }];
  await assert.rejects(run(onlyWeb, { limit: ['mon1'] }).promise, /selects no host any play runs on/);
});

test('a failing host stops only itself; its error shows the trimmed stderr; exit code 1', async () => {
  const applied: string[] = [];
  const role: Role = {
    name: 'app',
    async run(ctx) {
      const fail = ctx.host.name === 'web1' ? new RemoteCommandError('web1', 'make', 2, 'line\n'.repeat(40) + 'boom: no space left') : undefined;
      await ctx.task('build', fakeModule('build', ['run'], applied, fail));
      await ctx.task('after', fakeModule('after', ['run'], applied));
    },
  };
  const report = await run([{ name: 'site', hosts: ['all'], roles: [role] }]).promise;
  assert.deepEqual(applied.sort(), ['mon1:after', 'mon1:build']);
  assert.equal(report.hosts.web1.failed, 1);
  assert.match(report.hosts.web1.error!, /^app \/ build: web1: command failed \(exit 2\): make\n…\n(line\n){14}boom: no space left$/);
  assert.equal(report.hosts.mon1.failed, 0);
  assert.equal(exitCodeFor(report), 1);
});

test('an unreachable host is counted as unreachable; the others go on', async () => {
  const applied: string[] = [];
  const role: Role = { name: 'r', async run(ctx) { await ctx.task('t', fakeModule('t', ['x'], applied)); } };
  const report = await runPlaybook({
    plays: [{ name: 'p', hosts: ['all'], roles: [role] }],
    inventory: fakeInventory([fakeHost('a'), fakeHost('b')]),
    options: base,
    state: fakeState,
    controller,
    connect: async (h) => {
      if (h.name === 'a') throw new UnreachableError('a', 'connect ECONNREFUSED');
      return new FakeConnection(h.name);
    },
  });
  assert.equal(report.hosts.a.unreachable, 1);
  assert.equal(report.hosts.a.error, 'a: unreachable: connect ECONNREFUSED');
  assert.deepEqual(applied, ['b:t']);
  assert.equal(exitCodeFor(report), 1);
});

test('a failed host is left out of later plays; once() runs once across hosts', async () => {
  let builds = 0;
  const seen: string[] = [];
  const first: Role = {
    name: 'build',
    async run(ctx) {
      const id = await ctx.once('image', async () => `id${++builds}`);
      seen.push(`${ctx.host.name}:${id}`);
      if (ctx.host.name === 'web1') throw new Error('role code broke');
    },
  };
  const second: Role = { name: 'later', async run(ctx) { seen.push(`later:${ctx.host.name}`); } };
  const report = await run([
    { name: 'one', hosts: ['all'], roles: [first] },
    { name: 'two', hosts: ['all'], roles: [second] },
  ]).promise;
  assert.equal(builds, 1);
  assert.deepEqual(seen.sort(), ['later:mon1', 'mon1:id1', 'web1:id1']);
  assert.deepEqual(report.hosts.web1.tasks, [{ role: 'build', task: '(role code)', status: 'failed', durationMs: 0, error: 'role code broke' }]);
});

test('notify of an undeclared handler fails the role with the declared names', async () => {
  const role: Role = {
    name: 'r',
    async run(ctx) {
      ctx.handler('restart x', async () => {});
      await ctx.task('t', fakeModule('t', ['x'], []), { notify: 'reload x' });
    },
  };
  const report = await run([{ name: 'p', hosts: ['web'], roles: [role] }]).promise;
  assert.match(report.hosts.web1.error!, /notify 'reload x': no such handler \(declared: restart x\)/);
});

test('--forks bounds how many hosts run at once', async () => {
  let running = 0;
  let peak = 0;
  const role: Role = {
    name: 'r',
    async run(ctx) {
      await ctx.step('wait', async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      });
    },
  };
  const hosts = ['a', 'b', 'c', 'd', 'e'].map((n) => fakeHost(n));
  await run([{ name: 'p', hosts: ['all'], roles: [role] }], { forks: 2 }, hosts).promise;
  assert.equal(peak, 2);
  await run([{ name: 'p', hosts: ['all'], roles: [role] }], {}, hosts).promise;
  assert.equal(peak, 5);
});

test('a handler notified by a task selected with a task tag still runs', async () => {
  const handlerRuns: string[] = [];
  const applied: string[] = [];
  const report = await run([{ name: 'site', hosts: ['web'], roles: [nginxRole(applied, handlerRuns)] }], { tags: ['config'] }).promise;
  assert.deepEqual(applied, ['web1:a']);
  assert.deepEqual(handlerRuns, ['web1']);
  assert.deepEqual(report.hosts.web1.tasks.map((t) => t.task), ['conf a', 'handler: reload nginx']);
});
