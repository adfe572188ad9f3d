// The site playbook end to end (issue 4, "End to end"), on a lab of its own ('e2e':
// hosts e2e-1 web+monitoring, e2e-2 web) with its own inventory file and state folder,
// so the user's default lab and .cloudnova/ are never touched. The scenarios build on
// each other and run in order: from nothing, rerun, --tags nginx, --tags prometheus,
// --check --diff, a broken app image and its rollback.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, imageId } from '../../lib/images/docker.ts';
import { labDown, labStatus, type LabHostStatus } from '../../lib/lab/index.ts';
import { appImageTag } from '../../playbooks/support/stack-images.ts';
import { NGINX_DEFAULTS } from '../../roles/nginx/vars.ts';
import { PROMETHEUS_DEFAULTS } from '../../roles/prometheus/vars.ts';
import { describeTasks, runSite, writeInventory, type SiteReport, type SiteRun, type TaskEntry } from './helpers/site-run.ts';
import { eventually, header, request, sshExec, type Answer } from './helpers/probe.ts';

const LAB = 'e2e';
const HOSTS = ['e2e-1', 'e2e-2'] as const;
const GROUPS = { web: ['e2e-1', 'e2e-2'], monitoring: ['e2e-1'] };
const BROKEN_APP = 'cloudnova/miniwebapp:broken-e2e';
const PROJECT = 'cloudnova';
const COMPOSE = ['docker', 'compose', '-p', PROJECT, '-f', '/opt/cloudnova/compose.yaml'];
const MIN = 60_000;

const tmp = mkdtempSync(join(tmpdir(), 'cloudnova-e2e-site-'));
const stateDir = join(tmp, 'state');
const inventoryFile = join(tmp, 'inventory.ts');
const reportFile = join(tmp, 'report.json');
const knownHosts = join(tmp, 'known_hosts');
const labOpts = { name: LAB, stateDir, log: (m: string) => console.log(`# lab: ${m}`) };

// The lab environment's vars in inventory.ts; each scenario layers its change on top.
const LAB_VARS = {
  images: { delivery: 'push', offline: true, grafana: null },
  grafana: { enabled: false },
  app: { seedDemoUsers: true },
};
// max-age: the role default on the first runs, then a --tags nginx change, then one under --check.
const HSTS = { initial: NGINX_DEFAULTS.hsts.maxAge, tagged: 31536000, checked: 15552000 };
const CPU = { initial: PROMETHEUS_DEFAULTS.alerts.cpuPercent, changed: 70 };

function inventory(extra: { nginx?: object; prometheus?: object; images?: object } = {}): string {
  return writeInventory(inventoryFile, {
    env: 'e2e',
    labName: LAB,
    groups: GROUPS,
    vars: { ...LAB_VARS, ...extra, images: { ...LAB_VARS.images, ...extra.images } },
  });
}

async function site(args: string[], timeoutMs: number): Promise<SiteRun> {
  const r = await runSite({ inventory: inventoryFile, report: reportFile, stateDir, args, timeoutMs });
  console.log(`# site.ts ${args.join(' ') || '(full run)'}: exit ${r.code ?? r.signal} in ${(r.durationMs / 1000).toFixed(1)} s`);
  return r;
}

/** The run report must exist and name both hosts. */
function reportOf(r: SiteRun): SiteReport {
  assert.ok(r.report, `no --json report written\n${r.tail}`);
  assert.deepEqual(Object.keys(r.report.hosts).sort(), [...HOSTS], `report hosts\n${r.tail}`);
  return r.report;
}

const changedTasks = (report: SiteReport, host: string): TaskEntry[] => report.hosts[host]!.tasks.filter((t) => t.status === 'changed');

// ---------------------------------------------------------------- the lab as deployed

let ca = '';
let password = '';
const hosts = new Map<string, LabHostStatus>();
const durations: Array<[string, number]> = [];
let deployed = false;

async function readLab(): Promise<void> {
  const status = await labStatus({ name: LAB, stateDir });
  for (const h of status.hosts) hosts.set(h.name, h);
  for (const name of HOSTS) assert.ok(hosts.get(name), `lab ${LAB} has no host ${name}: ${JSON.stringify(status.hosts.map((h) => h.name))}`);
  ca = readFileSync(join(stateDir, 'tls', 'ca.crt'), 'utf8');
  password = readFileSync(join(stateDir, 'secrets', 'prometheus-basic-auth-password'), 'utf8').trim();
}

const lab = (name: string): LabHostStatus => hosts.get(name)!;
const https = (name: string, path: string, o: Parameters<typeof request>[1] = {}): Promise<Answer> => request(`${lab(name).urls.https}${path}`, { ca, ...o });
const prometheus = async (path: string): Promise<unknown> => {
  const a = await https('e2e-1', `/prometheus/${path}`, { auth: { user: 'admin', password } });
  assert.equal(a.status, 200, `/prometheus/${path}: ${a.status} ${a.body.slice(0, 200)}`);
  return JSON.parse(a.body);
};
const onHost = (name: string, argv: string[]) => {
  const r = sshExec({ stateDir, knownHosts, port: lab(name).ssh.port }, argv);
  assert.equal(r.code, 0, `ssh ${name} ${argv.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout.trim();
};
/** What a service's container runs now: its id, start time and image. */
const container = (name: string, service: string): { id: string; startedAt: string; image: string } => {
  const id = onHost(name, ['sudo', ...COMPOSE, 'ps', '-q', service]);
  assert.match(id, /^[0-9a-f]{12,}$/, `${service} container on ${name}`);
  const [startedAt, image] = onHost(name, ['sudo', 'docker', 'inspect', '--format', '{{.State.StartedAt}} {{.Config.Image}}', id]).split(' ');
  return { id, startedAt: startedAt!, image: image! };
};
const hstsOf = async (name: string): Promise<string> => {
  const a = await https(name, '/');
  assert.equal(a.status, 200, `https://${name}/`);
  return header(a, 'strict-transport-security') ?? '';
};
const highCpuQuery = async (): Promise<string> => {
  const rules = (await prometheus('api/v1/rules?type=alert')) as { data: { groups: Array<{ rules: Array<{ name: string; query: string }> }> } };
  const rule = rules.data.groups.flatMap((g) => g.rules).find((r) => r.name === 'HighCpu');
  assert.ok(rule, 'HighCpu rule loaded');
  return rule.query;
};

function requireDeployed(): void {
  if (!deployed) assert.fail('scenario 1 (deploy from nothing) failed, so this scenario cannot run: see its failure');
}

function timed(t: TestContext, name: string, started: number): void {
  const s = (Date.now() - started) / 1000;
  durations.push([name, s]);
  t.diagnostic(`${name}: ${s.toFixed(1)} s`);
}

// ---------------------------------------------------------------- scenarios

describe('site.ts on a lab of its own (e2e-1 web+monitoring, e2e-2 web)', { timeout: 90 * MIN }, () => {
  before(async () => {
    // package.json: the inventory.ts written here must load as an ES module, as in the project.
    writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
    await labDown(labOpts); // leftovers of an interrupted run: the e2e lab only, found by its label
    await docker(['rmi', BROKEN_APP], { check: false });
  });

  after(async () => {
    await labDown(labOpts).catch((e: unknown) => console.log(`# labDown failed: ${String(e)}`));
    await docker(['rmi', BROKEN_APP], { check: false }).catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
    console.log(`# durations: ${durations.map(([n, s]) => `${n} ${s.toFixed(0)} s`).join(', ')}`);
  });

  it('1. from nothing: exit 0, every verification passes, the stack answers as specified', { timeout: 25 * MIN }, async (t) => {
    const started = Date.now();
    inventory();
    const r = await site([], 20 * MIN);
    assert.equal(r.code, 0, `first run failed\n${describeTasks(r.report, (x) => x.status === 'failed')}\n${r.tail}`);
    const report = reportOf(r);
    for (const name of HOSTS) {
      const h = report.hosts[name]!;
      assert.equal(h.failed, 0, `${name} failed tasks\n${describeTasks(report, (x) => x.status === 'failed')}`);
      const verify = h.tasks.filter((x) => x.role === 'verify');
      assert.ok(verify.length > 0, `${name}: no verify task in the report`);
      assert.ok(verify.every((x) => x.status === 'ok'), `${name}: ${describeTasks(report, (x) => x.role === 'verify')}`);
      assert.ok(h.changed > 0, `${name}: a first run from nothing changes things`);
    }
    await readLab();
    assert.match(r.stdout, /CloudNova stack is up/, 'the closing summary is printed');

    for (const name of HOSTS) {
      const { https: httpsUrl, http: httpUrl } = lab(name).urls;
      assert.notEqual(lab(name).ports.https, 8441, 'the e2e lab must not take the default lab ports');
      // https / with our CA (the handshake fails otherwise), with HSTS as configured.
      const home = await https(name, '/');
      assert.equal(home.status, 200, `${name}: https / answered ${home.status}`);
      assert.match(header(home, 'strict-transport-security') ?? '', new RegExp(`max-age=${HSTS.initial}\\b`));
      // http -> https keeping host, port and path (the host as the client sent it).
      const httpsPort = new URL(httpsUrl).port;
      const path = '/some/path?x=1&y=two';
      const redirect = await request(`${httpUrl}${path}`);
      assert.equal(redirect.status, 301, `${name}: http answered ${redirect.status}`);
      assert.equal(header(redirect, 'location'), `https://127.0.0.1:${httpsPort}${path}`);
      const named = await request(`${httpUrl}/other`, { headers: { host: `localhost:${new URL(httpUrl).port}` } });
      assert.equal(header(named, 'location'), `https://localhost:${httpsPort}/other`);
      // The app is ready, its metrics are not public.
      const ready = await https(name, '/readyz');
      assert.equal(ready.status, 200, `${name}: /readyz ${ready.status} ${ready.body}`);
      assert.equal((JSON.parse(ready.body) as { status: string }).status, 'ok');
      const metrics = await https(name, '/metrics');
      assert.ok(metrics.status === 404 || metrics.status === 403, `${name}: /metrics answered ${metrics.status}`);
      assert.doesNotMatch(metrics.body, /http_requests_total|process_cpu/, `${name}: /metrics leaks the app's metrics`);
      // The API creates a user (and never returns the password).
      const user = { name: 'E2E Tester', email: `e2e-${Date.now()}@example.com`, username: `e2e_${Date.now()}`, password: 'correct horse battery' };
      const created = await https(name, '/api/users', { method: 'POST', body: JSON.stringify(user) });
      assert.equal(created.status, 201, `${name}: POST /api/users ${created.status} ${created.body}`);
      const body = JSON.parse(created.body) as Record<string, unknown>;
      assert.equal(body.username, user.username);
      assert.equal(typeof body.id, 'number');
      assert.ok(!('password' in body) && !JSON.stringify(body).includes(user.password), 'the password is not returned');
      const read = await https(name, `/api/users/${String(body.id)}`);
      assert.equal(read.status, 200);
    }

    // Prometheus: behind basic auth, every target up.
    assert.equal((await https('e2e-1', '/prometheus/')).status, 401, '/prometheus/ without credentials');
    assert.equal((await https('e2e-1', '/prometheus/api/v1/targets')).status, 401, '/prometheus/api/v1/targets without credentials');
    assert.equal((await https('e2e-1', '/prometheus/api/v1/targets', { auth: { user: 'admin', password: 'wrong' } })).status, 401, 'a wrong password');
    const targets = (await prometheus('api/v1/targets?state=active')) as { data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> } };
    const active = targets.data.activeTargets;
    const down = active.filter((x) => x.health !== 'up').map((x) => `${x.labels.job} ${x.labels.instance}: ${x.health} ${x.lastError}`);
    assert.deepEqual(down, [], 'every target up');
    const byJob = (job: string) => active.filter((x) => x.labels.job === job).map((x) => x.labels.host).sort();
    assert.deepEqual(byJob('app'), [...HOSTS], 'the app of every web host is scraped');
    assert.deepEqual(byJob('node'), [...HOSTS], 'node-exporter of every host is scraped');
    assert.equal(byJob('prometheus').length, 1);
    assert.equal(byJob('alertmanager').length, 1);
    // e2e-2 is not a monitoring host: no Prometheus behind its nginx.
    assert.notEqual((await https('e2e-2', '/prometheus/api/v1/targets', { auth: { user: 'admin', password } })).status, 200);
    deployed = true;
    timed(t, 'scenario 1 (from nothing)', started);
  });

  it('2. a second run changes nothing (0 changed on every host)', { timeout: 10 * MIN }, async (t) => {
    requireDeployed();
    const started = Date.now();
    const r = await site([], 8 * MIN);
    assert.equal(r.code, 0, r.tail);
    const report = reportOf(r);
    for (const name of HOSTS) {
      assert.equal(report.hosts[name]!.changed, 0, `${name} changed:\n${describeTasks(report, (x) => x.status === 'changed')}`);
      assert.equal(report.hosts[name]!.failed, 0);
      assert.ok(report.hosts[name]!.ok > 0);
    }
    timed(t, 'scenario 2 (rerun)', started);
  });

  it('3. an nginx var with --tags nginx: only nginx changes and reloads, the new header is live', { timeout: 10 * MIN }, async (t) => {
    requireDeployed();
    const started = Date.now();
    const nginxBefore = Object.fromEntries(HOSTS.map((n) => [n, container(n, 'nginx')]));
    const appBefore = Object.fromEntries(HOSTS.map((n) => [n, container(n, 'app')]));
    assert.notEqual(HSTS.tagged, HSTS.initial);
    inventory({ nginx: { hsts: { maxAge: HSTS.tagged } } });
    const r = await site(['--tags', 'nginx'], 8 * MIN);
    assert.equal(r.code, 0, r.tail);
    const report = reportOf(r);
    for (const name of HOSTS) {
      const changed = changedTasks(report, name);
      const others = changed.filter((x) => x.role !== 'nginx');
      assert.deepEqual(others, [], `${name}: only nginx tasks may change\n${describeTasks(report, (x) => x.status === 'changed')}`);
      assert.deepEqual(changed.map((x) => x.task).sort(), ['/opt/cloudnova/nginx/nginx.conf', 'handler: reload nginx'].sort(), `${name}: nginx.conf changed and nginx reloaded`);
      assert.deepEqual([...new Set(report.hosts[name]!.tasks.map((x) => x.role))].sort(), ['nginx', 'verify'], `${name}: roles that ran`);
      assert.equal(report.hosts[name]!.failed, 0);
    }
    for (const name of HOSTS) {
      assert.match(await hstsOf(name), new RegExp(`max-age=${HSTS.tagged}\\b`), `${name}: the new max-age is served`);
      // Reloaded, not restarted: the same container, started at the same time; the app untouched.
      assert.deepEqual(container(name, 'nginx'), nginxBefore[name], `${name}: nginx was reloaded, not recreated or restarted`);
      assert.deepEqual(container(name, 'app'), appBefore[name], `${name}: the app was not touched`);
    }
    timed(t, 'scenario 3 (--tags nginx)', started);
  });

  it('4. a Prometheus rule threshold with --tags prometheus: only prometheus changes, the new rule is loaded', { timeout: 10 * MIN }, async (t) => {
    requireDeployed();
    const started = Date.now();
    assert.match(await highCpuQuery(), new RegExp(`> ${CPU.initial}$`), `HighCpu starts at the default ${CPU.initial}`);
    const promBefore = container('e2e-1', 'prometheus');
    inventory({ nginx: { hsts: { maxAge: HSTS.tagged } }, prometheus: { alerts: { cpuPercent: CPU.changed } } });
    const r = await site(['--tags', 'prometheus'], 8 * MIN);
    assert.equal(r.code, 0, r.tail);
    const report = reportOf(r);
    const changed = changedTasks(report, 'e2e-1');
    assert.deepEqual(changed.filter((x) => x.role !== 'prometheus'), [], `only prometheus tasks may change\n${describeTasks(report, (x) => x.status === 'changed')}`);
    assert.deepEqual(changed.map((x) => x.task).sort(), ['/opt/cloudnova/prometheus/rules.yml', 'handler: reload prometheus'].sort());
    assert.equal(report.hosts['e2e-2']!.changed, 0, 'e2e-2 runs no Prometheus');
    for (const name of HOSTS) assert.equal(report.hosts[name]!.failed, 0);
    // SIGHUP reloads asynchronously: wait until the rule API shows the new threshold.
    const query = await eventually(`HighCpu with threshold ${CPU.changed}`, 60_000, async () => {
      const q = await highCpuQuery();
      return q.endsWith(`> ${CPU.changed}`) ? q : undefined;
    });
    assert.match(query, new RegExp(`node_cpu_seconds_total\\{mode="idle"\\}.*> ${CPU.changed}$`));
    assert.deepEqual(container('e2e-1', 'prometheus'), promBefore, 'Prometheus was reloaded, not restarted');
    timed(t, 'scenario 4 (--tags prometheus)', started);
  });

  it('5. --check --diff after a var change: the diff of nginx.conf is printed, nothing changes on the hosts', { timeout: 10 * MIN }, async (t) => {
    requireDeployed();
    const started = Date.now();
    const confSum = (name: string) => onHost(name, ['sudo', 'sha256sum', '/opt/cloudnova/nginx/nginx.conf']);
    const release = (name: string) => onHost(name, ['readlink', '/opt/cloudnova/compose.yaml']);
    const before = Object.fromEntries(HOSTS.map((n) => [n, { conf: confSum(n), release: release(n), nginx: container(n, 'nginx') }]));
    inventory({ nginx: { hsts: { maxAge: HSTS.checked } }, prometheus: { alerts: { cpuPercent: CPU.changed } } });
    const r = await site(['--check', '--diff'], 8 * MIN);
    assert.equal(r.code, 0, r.tail);
    const out = r.stdout + r.stderr;
    for (const line of [
      '--- /opt/cloudnova/nginx/nginx.conf (on host)',
      '+++ /opt/cloudnova/nginx/nginx.conf (desired)',
    ]) assert.ok(out.includes(line), `the output has "${line}"\n${r.tail}`);
    assert.match(out, /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m, 'a hunk header');
    assert.match(out, new RegExp(`^-\\s+add_header Strict-Transport-Security "max-age=${HSTS.tagged}\\b`, 'm'), 'the old line, removed');
    assert.match(out, new RegExp(`^\\+\\s+add_header Strict-Transport-Security "max-age=${HSTS.checked}\\b`, 'm'), 'the new line, added');
    const report = reportOf(r);
    for (const name of HOSTS) {
      const conf = report.hosts[name]!.tasks.find((x) => x.task === '/opt/cloudnova/nginx/nginx.conf');
      assert.equal(conf?.status, 'changed', `${name}: the check reports nginx.conf as to change`);
      assert.equal(report.hosts[name]!.failed, 0);
    }
    for (const name of HOSTS) {
      assert.match(await hstsOf(name), new RegExp(`max-age=${HSTS.tagged}\\b`), `${name}: the live header is unchanged`);
      assert.deepEqual({ conf: confSum(name), release: release(name), nginx: container(name, 'nginx') }, before[name], `${name}: nothing changed on the host`);
    }
    // The change is still to be made: a real run makes it.
    const real = await site(['--tags', 'nginx'], 8 * MIN);
    assert.equal(real.code, 0, real.tail);
    for (const name of HOSTS) {
      const conf = reportOf(real).hosts[name]!.tasks.find((x) => x.task === '/opt/cloudnova/nginx/nginx.conf');
      assert.equal(conf?.status, 'changed', `${name}: the real run still had nginx.conf to change`);
      assert.match(await hstsOf(name), new RegExp(`max-age=${HSTS.checked}\\b`));
    }
    timed(t, 'scenario 5 (--check --diff)', started);
  });

  it('6. a broken app image: verification fails, the previous release is restored, the site keeps answering', { timeout: 25 * MIN }, async (t) => {
    requireDeployed();
    const started = Date.now();
    const good = appImageTag();
    assert.ok(await imageId(good), `the app image ${good} is on the controller (built by the first run)`);
    for (const name of HOSTS) assert.equal(container(name, 'app').image, good, `${name} runs ${good}`);
    const releaseBefore = Object.fromEntries(HOSTS.map((n) => [n, onHost(n, ['readlink', '/opt/cloudnova/compose.yaml'])]));
    const ctx = join(tmp, 'broken-image');
    rmSync(ctx, { recursive: true, force: true });
    mkdirSync(ctx);
    // The good image whose process exits at once: the container never becomes healthy.
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${good}\nCMD ["node", "-e", "process.exit(1)"]\n`);
    await docker(['build', '-q', '-t', BROKEN_APP, ctx], { timeoutMs: 5 * MIN });

    const base = { nginx: { hsts: { maxAge: HSTS.checked } }, prometheus: { alerts: { cpuPercent: CPU.changed } } };
    inventory({ ...base, images: { app: BROKEN_APP } });
    const r = await site([], 15 * MIN);
    assert.notEqual(r.code, 0, `a run with a broken app image must fail\n${r.tail}`);
    const report = reportOf(r);
    for (const name of HOSTS) {
      const verify = report.hosts[name]!.tasks.find((x) => x.role === 'verify');
      assert.equal(verify?.status, 'failed', `${name}: the verify task failed\n${describeTasks(report)}`);
      assert.match(verify?.error ?? '', /rolled back to release [0-9a-f]{12}/, `${name}: the error says it rolled back`);
    }
    for (const name of HOSTS) {
      // The previous release is live again, with the previous image, and answers.
      assert.equal(onHost(name, ['readlink', '/opt/cloudnova/compose.yaml']), releaseBefore[name], `${name}: compose.yaml points at the previous release`);
      const app = await eventually(`${name}: app on ${good}`, 2 * MIN, async () => {
        const c = container(name, 'app');
        return c.image === good ? c : undefined;
      });
      assert.equal(app.image, good);
      await eventually(`${name}: https / 200 and /readyz ok`, 2 * MIN, async () => {
        const [home, ready] = [await https(name, '/'), await https(name, '/readyz')];
        return home.status === 200 && ready.status === 200 && (JSON.parse(ready.body) as { status: string }).status === 'ok' ? true : undefined;
      });
    }

    // The good vars again: a normal, successful run.
    inventory(base);
    const again = await site([], 10 * MIN);
    assert.equal(again.code, 0, `the run after the rollback\n${describeTasks(again.report, (x) => x.status === 'failed')}\n${again.tail}`);
    for (const name of HOSTS) {
      assert.equal(reportOf(again).hosts[name]!.failed, 0);
      assert.equal(container(name, 'app').image, good);
      assert.equal((await https(name, '/readyz')).status, 200);
    }
    timed(t, 'scenario 6 (broken image, rollback)', started);
  });
});
