// Grafana provisioning: files rendered, dashboards prepared for our datasource, the
// 3662 import path (download, cache, vendored fallback), and panel queries that are
// valid PromQL (checked by promtool as recording rules).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { stackVars } from '../../../roles/stack-vars.ts';
import { DATASOURCE_UID, renderDashboardProvider, renderDatasources, renderGrafanaIni } from '../../../roles/grafana/provisioning.ts';
import { cloudnovaDashboard } from '../../../roles/grafana/dashboard.ts';
import { VENDORED_DASHBOARDS, dashboardDownloadUrl, importDashboard, prepareImportedDashboard } from '../../../roles/grafana/import.ts';
import { panelQueries, substituteVariables } from '../../../roles/grafana/panel-queries.ts';
import { toYaml } from '../../../roles/yaml.ts';
import { lab1 } from './helpers/fixtures.ts';
import { parseYaml } from './helpers/yaml.ts';

const work = mkdtempSync(join(tmpdir(), 'cloudnova-grafana-'));
after(() => rmSync(work, { recursive: true, force: true }));
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
const vendored3662 = JSON.parse(readFileSync(join(VENDORED_DASHBOARDS, '3662.json'), 'utf8')) as Record<string, unknown>;
type Json = Record<string, unknown>;


function datasourceUids(dashboard: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown, key?: string) => {
    if (key === 'datasource' && v !== null) out.push(typeof v === 'object' ? (v as Json).uid : v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(dashboard);
  return out;
}

test('datasource and provider provisioning have the fixed uid and paths', () => {
  const ds = renderDatasources();
  assert.match(ds, new RegExp(`uid: ${DATASOURCE_UID}`));
  assert.match(ds, /url: http:\/\/prometheus:9090\/prometheus/);
  assert.match(renderDashboardProvider(), /path: \/opt\/cloudnova\/grafana\/dashboards/);
  if (parseYaml) {
    const parsed = parseYaml(ds) as { datasources: Json[] };
    assert.equal(parsed.datasources[0].uid, DATASOURCE_UID);
    assert.equal(parsed.datasources[0].type, 'prometheus');
    const provider = parseYaml(renderDashboardProvider()) as { providers: Array<{ options: Json }> };
    assert.equal(provider.providers[0].options.path, '/opt/cloudnova/grafana/dashboards');
  }
});

test('grafana.ini: sub path, admin password from a file, anonymous off', () => {
  const ini = renderGrafanaIni(stackVars({}, 'i'), lab1);
  assert.match(ini, /^root_url = https:\/\/127.0.0.1:8441\/grafana\/$/m);
  assert.match(ini, /^serve_from_sub_path = true$/m);
  assert.match(ini, /^admin_password = \$__file\{\/opt\/cloudnova\/grafana\/secrets\/admin-password\}$/m);
  assert.match(ini, /\[auth.anonymous\]\nenabled = false/);
  assert.doesNotMatch(ini, /admin_password = admin/);
});

test('our dashboard: every panel and target uses our datasource uid', () => {
  const d = cloudnovaDashboard();
  const uids = datasourceUids(d);
  assert.ok(uids.length >= 10);
  assert.ok(uids.every((u) => u === DATASOURCE_UID), JSON.stringify(uids));
  const titles = panelQueries(d).map((q) => q.panel);
  assert.deepEqual(titles, ['CPU %', 'Memory %', 'Disk % (/)', 'App requests per second', 'App latency p95']);
});

test('prepareImportedDashboard replaces ${DS_PROMETHEUS} everywhere and drops __inputs/__requires', () => {
  const d = prepareImportedDashboard(vendored3662, { datasourceUid: DATASOURCE_UID, dashboardUid: 'grafana-com-3662' });
  const text = JSON.stringify(d);
  assert.doesNotMatch(text, /\$\{DS_/);
  assert.equal(d.__inputs, undefined);
  assert.equal(d.__requires, undefined);
  assert.equal(d.uid, 'grafana-com-3662');
  assert.equal(d.id, null);
  assert.equal(d.title, 'Prometheus 2.0 Overview');
  const uids = datasourceUids(d).filter((u) => u !== undefined);
  assert.ok(uids.length > 20 && uids.every((u) => u === DATASOURCE_UID));
  const undeclared = { title: 'logs', panels: [{ datasource: '${DS_LOKI}', targets: [] }], __inputs: [] };
  assert.throws(() => prepareImportedDashboard(undeclared, { datasourceUid: 'u', dashboardUid: 'd' }), /dashboard logs: \$\{DS_LOKI\} left after import/);
});

test('importDashboard: download then cache; offline falls back to the vendored copy and says so', async () => {
  const cacheDir = join(work, 'cache');
  const calls: string[] = [];
  const online = (async (url: string | URL | Request) => {
    calls.push(String(url));
    return new Response(JSON.stringify(vendored3662), { status: 200 });
  }) as typeof fetch;
  const offline = (async () => {
    throw new TypeError('fetch failed: getaddrinfo ENOTFOUND grafana.com');
  }) as typeof fetch;

  const first = await importDashboard(3662, 2, { fetch: online, cacheDir, datasourceUid: DATASOURCE_UID });
  assert.equal(first.source, 'download');
  assert.deepEqual(calls, [dashboardDownloadUrl(3662, 2)]);
  assert.equal(calls[0], 'https://grafana.com/api/dashboards/3662/revisions/2/download');
  assert.ok(existsSync(join(cacheDir, 'grafana-dashboard-3662-r2.json')));

  const again = await importDashboard(3662, 2, { fetch: offline, cacheDir, datasourceUid: DATASOURCE_UID });
  assert.equal(again.source, 'cache');
  assert.deepEqual(again.dashboard, first.dashboard);

  const cold = await importDashboard(3662, 2, { fetch: offline, cacheDir: join(work, 'empty-cache'), datasourceUid: DATASOURCE_UID });
  assert.equal(cold.source, 'vendored');
  assert.match(cold.note, /download failed \(fetch failed: getaddrinfo ENOTFOUND grafana.com\); using the vendored copy/);
  assert.doesNotMatch(JSON.stringify(cold.dashboard), /\$\{DS_/);

  const notFound = (async () => new Response('not found', { status: 404 })) as typeof fetch;
  await assert.rejects(importDashboard(1, 1, { fetch: notFound, cacheDir: join(work, 'c2'), datasourceUid: 'u' }), /download from .* failed \(HTTP 404\) and there is no vendored copy/);
});

test('substituteVariables selects everything and fills intervals', () => {
  const d = { templating: { list: [{ name: 'job', type: 'query' }, { name: 'interval', type: 'interval', current: { value: '5m' } }] } };
  assert.equal(substituteVariables('rate(x{job="$job",a="b"}[$interval])', d), 'rate(x{job=~".+",a="b"}[5m])');
  assert.equal(substituteVariables('rate(x{job=~"${job:regex}"}[$__rate_interval])', d), 'rate(x{job=~".+"}[1m])');
  assert.equal(substituteVariables('sum(x{job=~"[[job]]"}) by (le)', d), 'sum(x{job=~".+"}) by (le)');
});

test('every panel query of both dashboards is valid PromQL (promtool check rules)', { skip: !PROMTOOL && 'promtool not installed' }, () => {
  const imported = prepareImportedDashboard(vendored3662, { datasourceUid: DATASOURCE_UID, dashboardUid: 'grafana-com-3662' });
  const queries = [...panelQueries(cloudnovaDashboard()), ...panelQueries(imported)];
  assert.ok(queries.length >= 20);
  for (const q of queries) assert.doesNotMatch(q.expr, /\$|\[\[/, `${q.panel}: variable left in ${q.expr}`);
  const rules = toYaml({ groups: [{ name: 'panels', rules: queries.map((q, i) => ({ record: `panel:query:${i}`, expr: q.expr })) }] });
  const file = join(work, 'panel-queries.yml');
  writeFileSync(file, rules);
  const r = spawnSync(PROMTOOL!, ['check', 'rules', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
