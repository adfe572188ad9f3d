// A real Prometheus (and node-exporter) on 127.0.0.1 high ports, run with the rendered
// prometheus.yml, rules and flags: served under /prometheus, targets judged, rules
// loaded, and every dashboard panel query answered with data (except the app's, as
// no app runs here).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { stackVars } from '../../../roles/stack-vars.ts';
import { prometheusFilePaths, prometheusFlags, renderPrometheusConfig } from '../../../roles/prometheus/render.ts';
import { ALERT_NAMES, renderAlertRules } from '../../../roles/prometheus/rules.ts';
import { FS_TYPES_EXCLUDE } from '../../../roles/node-exporter/render.ts';
import { cloudnovaDashboard } from '../../../roles/grafana/dashboard.ts';
import { DATASOURCE_UID } from '../../../roles/grafana/provisioning.ts';
import { VENDORED_DASHBOARDS, prepareImportedDashboard } from '../../../roles/grafana/import.ts';
import { panelQueries } from '../../../roles/grafana/panel-queries.ts';
import { judgePrometheusTargets, judgeQueryHasData, judgeRulesLoaded } from '../../../roles/verify/checks.ts';
import { inventoryOf, labHost } from './helpers/fixtures.ts';
import { freePort, waitFor } from './helpers/net.ts';

const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => existsSync(p));
const NODE_EXPORTER = ['/usr/bin/prometheus-node-exporter', '/usr/local/bin/node_exporter'].find((p) => existsSync(p));
const skip = (!PROMETHEUS || !NODE_EXPORTER) && 'prometheus or node-exporter not installed';
const work = mkdtempSync(join(tmpdir(), 'cloudnova-prom-live-'));
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) {
    if (c.exitCode === null) {
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  }
  rmSync(work, { recursive: true, force: true });
});

function start(bin: string, args: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c) => (log = (log + c).slice(-4000)));
  child.on('exit', (code) => {
    if (code) console.error(`${bin} exited ${code}: ${log}`);
  });
  children.push(child);
  return child;
}

test('rendered config on a real Prometheus: targets, rules, panel queries', { skip, timeout: 90_000 }, async () => {
  const [promPort, nodePort] = [await freePort(), await freePort()];
  const host = labHost('lab-1', 1, ['web', 'monitoring'], { privateAddress: '127.0.0.1', urls: { https: 'https://127.0.0.1:8441/' } });
  const vars = stackVars({ prometheus: { scrapeInterval: '1s', evaluationInterval: '1s' }, grafana: { enabled: false }, images: { grafana: null } }, 'i');
  const files = prometheusFilePaths(work);
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.rules, renderAlertRules(vars));
  // The fixed ports of the conventions (9090, 9100) become free high ports here.
  const config = renderPrometheusConfig(vars, host, inventoryOf([host]), work)
    .replaceAll('localhost:9090', `localhost:${promPort}`)
    .replaceAll('127.0.0.1:9100', `127.0.0.1:${nodePort}`);
  writeFileSync(files.config, config);

  start(NODE_EXPORTER!, [`--web.listen-address=127.0.0.1:${nodePort}`, `--collector.filesystem.fs-types-exclude=${FS_TYPES_EXCLUDE}`]);
  const flags = prometheusFlags(vars, host, work).map((f) => (f.startsWith('--storage.tsdb.path=') ? `--storage.tsdb.path=${join(work, 'data')}` : f));
  start(PROMETHEUS!, [...flags, `--web.listen-address=127.0.0.1:${promPort}`]);

  const api = async (path: string): Promise<unknown> => (await fetch(`http://127.0.0.1:${promPort}/prometheus/${path}`)).json();
  await waitFor(async () => (await fetch(`http://127.0.0.1:${promPort}/prometheus/-/ready`)).status === 200, 30_000);

  // node and prometheus up; alertmanager and app are not running here, and say so.
  let targets = judgePrometheusTargets(await api('api/v1/targets'));
  await waitFor(async () => {
    targets = judgePrometheusTargets(await api('api/v1/targets'), ['prometheus', 'node', 'app', 'alertmanager']);
    // Every target scraped at least once (up or down, no longer unknown).
    return targets.total === 4 && targets.down.every((t) => t.health !== 'unknown');
  }, 30_000);
  assert.deepEqual(targets.down.map((t) => t.job).sort(), ['alertmanager', 'app']);
  assert.equal(targets.total, 4);

  await waitFor(async () => judgeRulesLoaded(await api('api/v1/rules?type=alert'), ALERT_NAMES).ok, 10_000);

  // Every panel query answers with data once a few scrapes are in, except the app's panels.
  const imported = prepareImportedDashboard(JSON.parse(readFileSync(join(VENDORED_DASHBOARDS, '3662.json'), 'utf8')), { datasourceUid: DATASOURCE_UID, dashboardUid: 'x' });
  const queries = [...panelQueries(cloudnovaDashboard()), ...panelQueries(imported)];
  const noData = async () => {
    const out: string[] = [];
    for (const q of queries) {
      const j = judgeQueryHasData(await api(`api/v1/query?query=${encodeURIComponent(q.expr)}`), q.panel);
      if (!j.ok) out.push(`${q.panel}: ${j.problems.join('; ')}`);
    }
    return out;
  };
  let missing: string[] = [];
  await waitFor(async () => {
    missing = await noData();
    return missing.every((m) => m.startsWith('App '));
  }, 20_000).catch(() => assert.fail(`panels without data: ${missing.join('\n')}`));
  assert.deepEqual(missing.map((m) => m.split(':')[0]).sort(), ['App latency p95', 'App requests per second']);
});
