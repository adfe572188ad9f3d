// Renders prometheus.yml and the alert rules, then lets the real promtool judge them:
// `check config`, `check rules`, and the unit tests in tests/prometheus/*.test.yml.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { stackVars } from '../../../roles/stack-vars.ts';
import { prometheusFilePaths, prometheusFlags, renderPrometheusConfig } from '../../../roles/prometheus/render.ts';
import { ALERT_NAMES, renderAlertRules } from '../../../roles/prometheus/rules.ts';
import { inventoryOf, lab1, lab2, labHost, labInventory } from './helpers/fixtures.ts';

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
const skip = !PROMTOOL && 'promtool not installed';
const work = mkdtempSync(join(tmpdir(), 'cloudnova-prom-'));
after(() => rmSync(work, { recursive: true, force: true }));
const TESTS_DIR = join(import.meta.dirname, '..', '..', 'prometheus');

function promtool(...args: string[]) {
  const r = spawnSync(PROMTOOL!, args, { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

test('prometheus.yml scrapes itself, alertmanager, the app on web hosts, node-exporter everywhere', () => {
  const three = inventoryOf([lab1, lab2, labHost('mon', 3, ['monitoring'])]);
  const text = renderPrometheusConfig(stackVars({ grafana: { enabled: false } }, 'i'), lab1, three);
  for (const target of ['localhost:9090', 'alertmanager:9093', '172.30.0.11:3000', '172.30.0.12:3000', '172.30.0.11:9100', '172.30.0.12:9100', '172.30.0.13:9100']) {
    assert.ok(text.includes(`- ${target}\n`), `missing target ${target}`);
  }
  assert.ok(!text.includes('172.30.0.13:3000'), 'the monitoring-only host runs no app');
  assert.ok(!text.includes('grafana'), 'no grafana job when disabled');
  assert.match(renderPrometheusConfig(stackVars({}, 'i'), lab1, labInventory), /job_name: grafana/);
  assert.match(text, /metrics_path: \/prometheus\/metrics/);
  assert.match(text, /host: lab-2/);
});

test('flags: retention, external URL and route prefix for /prometheus/', () => {
  const flags = prometheusFlags(stackVars({ prometheus: { retention: '30d' } }, 'i'), lab1);
  assert.ok(flags.includes('--storage.tsdb.retention.time=30d'));
  assert.ok(flags.includes('--web.external-url=https://127.0.0.1:8441/prometheus/'));
  assert.ok(flags.includes('--web.route-prefix=/prometheus'));
  assert.ok(flags.includes('--web.enable-lifecycle'), 'reload through /-/reload');
});

test('bad prometheus vars are rejected with the field path', () => {
  assert.throws(() => stackVars({ prometheus: { retention: '15 days' } }, 'inventory.ts'), /inventory.ts: vars.prometheus.retention: expected a duration/);
  assert.throws(() => stackVars({ prometheus: { alerts: { cpuPercent: 120 } } }, 'inventory.ts'), /vars.prometheus.alerts.cpuPercent: expected a percentage/);
  assert.throws(() => stackVars({ prometheus: { alerts: { app5xxRatio: 5 } } }, 'inventory.ts'), /vars.prometheus.alerts.app5xxRatio: expected a ratio/);
});

test('promtool check config and check rules accept the rendered files', { skip }, () => {
  const vars = stackVars({}, 'i');
  // Render with the real paths, then point rule_files at the temp copy: check config opens it.
  const files = prometheusFilePaths(work);
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.rules, renderAlertRules(vars));
  writeFileSync(files.config, renderPrometheusConfig(vars, lab1, labInventory, work));
  const rules = promtool('check', 'rules', files.rules);
  assert.ok(rules.ok, rules.output);
  assert.match(rules.output, new RegExp(`SUCCESS: ${ALERT_NAMES.length} rules found`));
  const config = promtool('check', 'config', files.config);
  assert.ok(config.ok, config.output);
});

test('promtool test rules: every alert fires when it should and not otherwise', { skip }, () => {
  const dir = join(work, 'unit');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rules.yml'), renderAlertRules(stackVars({}, 'i')));
  const testFiles = readdirSync(TESTS_DIR).filter((f) => f.endsWith('.test.yml'));
  assert.ok(testFiles.length > 0);
  for (const f of testFiles) copyFileSync(join(TESTS_DIR, f), join(dir, f));
  const r = promtool('test', 'rules', ...testFiles.map((f) => join(dir, f)));
  assert.ok(r.ok, r.output);
  // Every alert has at least one test in the suite.
  const suite = testFiles.map((f) => spawnSync('cat', [join(dir, f)], { encoding: 'utf8' }).stdout).join('\n');
  for (const name of ALERT_NAMES) assert.match(suite, new RegExp(`alertname: ${name}\\b`), `no promtool test for ${name}`);
});
