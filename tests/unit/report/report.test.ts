import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { RunReport } from '../../../lib/core/types.ts';
import { ConsoleReporter } from '../../../lib/report/console.ts';
import { writeJsonReport } from '../../../lib/report/json.ts';
import { formatRecap } from '../../../lib/report/recap.ts';

const report: RunReport = {
  durationMs: 4200,
  hosts: {
    web1: { ok: 5, changed: 2, failed: 0, skipped: 1, unreachable: 0, execs: 9, bytesSent: 1200, durationMs: 4100, tasks: [{ role: 'nginx', task: 'conf', status: 'changed', durationMs: 30 }] },
    mon1: {
      ok: 1, changed: 0, failed: 1, skipped: 0, unreachable: 0, execs: 2, bytesSent: 0, durationMs: 900,
      error: 'app / build: mon1: command failed (exit 1): make\nno space left',
      tasks: [{ role: 'app', task: 'build', status: 'failed', durationMs: 800, error: 'no space left' }],
    },
  },
};

test('recap: a row per host, failures with reasons, final line', () => {
  assert.equal(
    formatRecap(report),
    [
      'RECAP',
      'host      ok  changed  failed  skipped  unreachable    time',
      'web1       5        2       0        1            0    4.1s',
      'mon1       1        0       1        0            0   900ms',
      '',
      'FAILED',
      'mon1: failed',
      '    app / build: mon1: command failed (exit 1): make',
      '    no space left',
      '',
      '2 changed on 1 host, 1 host failed (2 hosts, 4.2s)',
      '',
    ].join('\n'),
  );
});

test('recap says "no changes" when nothing changed', () => {
  const quiet: RunReport = { durationMs: 10, hosts: { a: { ...report.hosts.web1, changed: 0 } } };
  assert.match(formatRecap(quiet), /\nno changes \(1 host, 10ms\)\n$/);
});

test('JSON report has the documented shape', async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'json-')), 'sub', 'run.json');
  await writeJsonReport(file, report);
  const parsed = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(Object.keys(parsed), ['durationMs', 'hosts']);
  assert.deepEqual(Object.keys(parsed.hosts.web1), ['ok', 'changed', 'failed', 'skipped', 'unreachable', 'execs', 'bytesSent', 'durationMs', 'tasks']);
  assert.deepEqual(parsed.hosts.web1.tasks, [{ role: 'nginx', task: 'conf', status: 'changed', durationMs: 30 }]);
  assert.equal(parsed.hosts.mon1.tasks[0].error, 'no space left');
});

test('console lines: no colour or spinner when not a TTY; plan in check, diff with --diff', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const r = new ConsoleReporter({ out, check: true, diff: true });
  r.runStart({ hosts: ['web1', 'mon1'], check: true });
  r.taskStart({ host: 'web1', role: 'nginx', task: 'conf' });
  r.taskEnd({
    host: 'web1', role: 'nginx', task: 'conf',
    report: { role: 'nginx', task: 'conf', status: 'changed', durationMs: 12 },
    plan: { changes: [{ what: 'content' }], diff: '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n' },
  });
  r.taskEnd({ host: 'mon1', role: 'app', task: 'build', report: { role: 'app', task: 'build', status: 'failed', durationMs: 1500, error: 'boom\nstderr tail' } });
  assert.doesNotMatch(text, /\x1b/);
  assert.equal(
    text,
    [
      'check mode: nothing will change on any host; showing the plan',
      'changed  web1  nginx › conf 12ms',
      '    ~ content',
      '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y',
      'failed   mon1  app › build 1.5s',
      '    boom\n    stderr tail',
      '',
    ].join('\n'),
  );
});

test('recap with no hosts says nothing ran', () => {
  assert.equal(formatRecap({ durationMs: 0, hosts: {} }), 'no hosts matched the plays: nothing ran\n');
});
