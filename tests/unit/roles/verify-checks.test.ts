import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allOf, judgeDatasourceHealth, judgeGrafanaHealth, judgeHttpsHome, judgeMetricsHidden, judgePrometheusTargets,
  judgeQueryHasData, judgeReadyz, judgeRedirect, judgeRulesLoaded,
} from '../../../roles/verify/checks.ts';
import { expectedRedirect, verifyChecks } from '../../../roles/verify/plan.ts';
import { stackVars } from '../../../roles/stack-vars.ts';
import { lab1, lab2, labInventory } from './helpers/fixtures.ts';

const target = (job: string, instance: string, health: string, lastError = '') => ({
  labels: { job, instance, host: 'lab-1' }, scrapePool: job, scrapeUrl: `http://${instance}/metrics`, health, lastError,
});
const targets = (...t: unknown[]) => ({ status: 'success', data: { activeTargets: t, droppedTargets: [] } });

test('judgePrometheusTargets: all up, down with reason, pending first scrape, missing job', () => {
  const up = judgePrometheusTargets(targets(target('app', '172.30.0.11:3000', 'up'), target('node', '172.30.0.11:9100', 'up')), ['app', 'node']);
  assert.equal(up.ok, true);
  assert.equal(up.total, 2);

  const down = judgePrometheusTargets(targets(target('app', '172.30.0.11:3000', 'down', 'connection refused'), target('node', 'x:9100', 'up')));
  assert.equal(down.ok, false);
  assert.equal(down.retry, true, 'a target may still be starting after a deploy: wait until the deadline');
  assert.deepEqual(down.problems, ['app 172.30.0.11:3000 (lab-1) is down: connection refused']);
  assert.equal(down.down.length, 1);

  const pending = judgePrometheusTargets(targets(target('node', 'x:9100', 'unknown')));
  assert.equal(pending.ok, false);
  assert.equal(pending.retry, true, 'not scraped yet: wait');

  const missing = judgePrometheusTargets(targets(target('node', 'x:9100', 'up')), ['node', 'grafana']);
  assert.deepEqual(missing.problems, ['job grafana has no targets (is the new prometheus.yml loaded?)']);

  const error = judgePrometheusTargets({ status: 'error', errorType: 'bad_data', error: 'nope' });
  assert.deepEqual(error.problems, ['targets: bad_data: nope']);
  assert.equal(judgePrometheusTargets('<html>').ok, false);
});

test('judgeRulesLoaded: expected alerts present and healthy', () => {
  const rules = (r: unknown[]) => ({ status: 'success', data: { groups: [{ name: 'cloudnova', rules: r }] } });
  const rule = (name: string, health = 'ok') => ({ type: 'alerting', name, health, lastError: health === 'err' ? 'boom' : '' });
  assert.equal(judgeRulesLoaded(rules([rule('A'), rule('B')]), ['A', 'B']).ok, true);
  assert.deepEqual(judgeRulesLoaded(rules([rule('A')]), ['A', 'B']).problems, ['alert rule B is not loaded']);
  assert.deepEqual(judgeRulesLoaded(rules([rule('A', 'err')]), ['A']).problems, ['alert rule A fails to evaluate: boom']);
});

test('judgeQueryHasData: vector with samples, empty vector, scalar, error', () => {
  assert.equal(judgeQueryHasData({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] } }, 'CPU %').ok, true);
  const empty = judgeQueryHasData({ status: 'success', data: { resultType: 'vector', result: [] } }, 'CPU %');
  assert.deepEqual(empty, { ok: false, problems: ['CPU %: no data'], retry: true });
  assert.equal(judgeQueryHasData({ status: 'success', data: { resultType: 'scalar', result: [1, '0'] } }, 's').ok, true);
  assert.deepEqual(judgeQueryHasData({ status: 'error', errorType: 'bad_data', error: 'parse error' }, 'P').problems, ['P: bad_data: parse error']);
});

test('judgeRedirect: exact Location with host, port and path', () => {
  assert.equal(judgeRedirect({ status: 301, headers: { location: 'https://127.0.0.1:8441/x' } }, 'https://127.0.0.1:8441/x').ok, true);
  assert.deepEqual(judgeRedirect({ status: 301, headers: { location: 'https://127.0.0.1/x' } }, 'https://127.0.0.1:8441/x').problems, [
    'expected Location https://127.0.0.1:8441/x, got https://127.0.0.1/x',
  ]);
  assert.deepEqual(judgeRedirect({ status: 200 }, 'https://h/').problems, ['expected 301, got 200', 'expected Location https://h/, got none']);
});

test('https home, readyz, metrics hidden, grafana health and datasource health', () => {
  assert.equal(judgeHttpsHome({ status: 200, headers: { 'strict-transport-security': 'max-age=63072000' } }).ok, true);
  assert.deepEqual(judgeHttpsHome({ status: 200, headers: {} }).problems, ['no Strict-Transport-Security header']);
  assert.equal(judgeReadyz({ status: 200, body: '{"status":"ok","database":"ok"}' }).ok, true);
  assert.equal(judgeReadyz({ status: 503, body: '{"status":"unavailable"}' }).ok, false);
  assert.equal(judgeMetricsHidden({ status: 404 }).ok, true);
  assert.deepEqual(judgeMetricsHidden({ status: 200 }).problems, ['/metrics is public: answered 200']);
  assert.equal(judgeGrafanaHealth({ status: 200, body: '{"database":"ok","version":"11.3.1"}' }).ok, true);
  assert.equal(judgeGrafanaHealth({ status: 502, body: '' }).ok, false);
  assert.equal(judgeDatasourceHealth({ status: 200, body: '{"status":"OK","message":"Successfully queried the Prometheus API."}' }).ok, true);
  assert.deepEqual(judgeDatasourceHealth({ status: 400, body: '{"status":"ERROR","message":"connection refused"}' }).problems, ['datasource health 400: connection refused']);
});

test('allOf names each failing check and keeps retry', () => {
  const j = allOf({ home: { ok: true, problems: [] }, targets: { ok: false, problems: ['node x is unknown'], retry: true } });
  assert.deepEqual(j, { ok: false, problems: ['targets: node x is unknown'], retry: true, foreign: false });
});

test('expectedRedirect keeps host and path, swaps scheme and port', () => {
  assert.equal(expectedRedirect('http://127.0.0.1:8081/x?y=1', 8441), 'https://127.0.0.1:8441/x?y=1');
  assert.equal(expectedRedirect('http://example.com/x', 443), 'https://example.com/x');
});

test('verifyChecks: web host checks the site; monitoring host adds Prometheus, panels and (when enabled) Grafana', () => {
  const base = { inventory: labInventory, httpsPort: 8441, alertNames: ['InstanceDown'], jobs: ['node'], panelQueries: [{ panel: 'CPU %', expr: 'up{job=~".+"}' }], datasourceUid: 'cloudnova-prometheus' };
  const web = verifyChecks({ ...base, vars: stackVars({}, 'i'), host: lab2, httpsPort: 8442 });
  assert.deepEqual(web.map((c) => c.name), ['http redirects to https', '/metrics not public', 'https home', 'app ready']);
  assert.equal(web[0].url, 'http://127.0.0.1:8082/cloudnova-verify/redirect?kept=1');
  assert.equal(web[0].judge({ status: 301, headers: { location: 'https://127.0.0.1:8442/cloudnova-verify/redirect?kept=1' } }).ok, true);

  const mon = verifyChecks({ ...base, vars: stackVars({ grafana: { enabled: false }, images: { grafana: null } }, 'i'), host: lab1 });
  const names = mon.map((c) => c.name);
  assert.ok(names.includes('prometheus targets up'));
  assert.ok(names.includes('panel "CPU %" has data'));
  assert.ok(!names.some((n) => n.startsWith('grafana')), 'no grafana runtime checks where it does not run');
  const panel = mon.find((c) => c.name.startsWith('panel'))!;
  assert.equal(panel.url, 'https://127.0.0.1:8441/prometheus/api/v1/query?query=up%7Bjob%3D~%22.%2B%22%7D');
  assert.equal(panel.auth, 'prometheus');
  const withGrafana = verifyChecks({ ...base, vars: stackVars({}, 'i'), host: lab1 });
  assert.ok(withGrafana.some((c) => c.url === 'https://127.0.0.1:8441/grafana/api/datasources/uid/cloudnova-prometheus/health'));
});

test('judgePrometheusTargets: targets down only on other hosts are foreign (no rollback of this host)', () => {
  const other = judgePrometheusTargets(targets(target('app', '172.30.0.12:3000', 'down', 'refused')), [], 'lab-1');
  // target() labels every target with host lab-1 unless told otherwise: relabel to lab-2 here.
  const relabel = (t: ReturnType<typeof target>, host: string) => ({ ...t, labels: { ...t.labels, host } });
  const foreign = judgePrometheusTargets(targets(relabel(target('app', '172.30.0.12:3000', 'down', 'refused'), 'lab-2')), [], 'lab-1');
  assert.equal(foreign.ok, false);
  assert.equal(foreign.foreign, true);
  assert.equal(other.foreign, false, "a down target of this host's own is not foreign");
  const mixed = allOf({ targets: foreign, home: { ok: false, problems: ['502'] } });
  assert.equal(mixed.foreign, false, 'an own failure as well: roll back');
  assert.equal(allOf({ targets: foreign }).foreign, true);
});
