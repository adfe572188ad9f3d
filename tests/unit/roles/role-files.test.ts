// The files each role puts on a host, their modes, and the commands that check and apply them.
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { stackVars } from '../../../roles/stack-vars.ts';
import { nginxFiles, nginxReloadArgv, nginxValidateArgv } from '../../../roles/nginx/files.ts';
import { prometheusFiles, prometheusReloadArgv } from '../../../roles/prometheus/files.ts';
import { alertmanagerFiles } from '../../../roles/alertmanager/files.ts';
import { grafanaFiles, grafanaRestartFiles } from '../../../roles/grafana/files.ts';
import { composeFiles } from '../../../roles/compose/files.ts';
import { currentReleaseArgv, releaseComposePath, switchReleaseArgv } from '../../../roles/releases.ts';
import { configHash } from '../../../roles/compose/render.ts';
import { prometheusFlags } from '../../../roles/prometheus/render.ts';
import { alertmanagerFlags } from '../../../roles/alertmanager/render.ts';
import { nodeExporterContainer } from '../../../roles/node-exporter/render.ts';
import { htpasswdLine } from '../../../roles/nginx/htpasswd.ts';
import { lab1, labInventory } from './helpers/fixtures.ts';

const vars = stackVars({ images: { nginx: 'cloudnova/nginx:1.22.1-1', prometheus: 'cloudnova/prometheus:2.42.0' } }, 'i');

test('nginx: htpasswd before nginx.conf, validated in the image with the folders at the same path; reload by SIGHUP', () => {
  const files = nginxFiles(vars, lab1, htpasswdLine('admin', 'pw'));
  assert.deepEqual(files.map((f) => [f.dest, f.mode]), [['/opt/cloudnova/nginx/htpasswd', '0644'], ['/opt/cloudnova/nginx/nginx.conf', '0644']]);
  assert.equal(files[0].secret, true);
  assert.deepEqual(files[1].validate!('/opt/cloudnova/nginx/.nginx.conf.tmp'), nginxValidateArgv(vars, '/opt/cloudnova/nginx/.nginx.conf.tmp'));
  assert.deepEqual(nginxValidateArgv(vars, '/opt/cloudnova/nginx/x.tmp'), [
    'docker', 'run', '--rm', '--network', 'none',
    '-v', '/opt/cloudnova/nginx:/opt/cloudnova/nginx:ro', '-v', '/opt/cloudnova/tls:/opt/cloudnova/tls:ro',
    'cloudnova/nginx:1.22.1-1', 'nginx', '-t', '-q', '-c', '/opt/cloudnova/nginx/x.tmp',
  ]);
  assert.deepEqual(nginxReloadArgv(vars), ['docker', 'compose', '-p', 'cloudnova', '-f', '/opt/cloudnova/compose.yaml', 'kill', '-s', 'SIGHUP', 'nginx']);
});

test('prometheus: rules before config, both checked by the image\'s promtool', () => {
  const files = prometheusFiles(vars, lab1, labInventory);
  assert.deepEqual(files.map((f) => f.dest), ['/opt/cloudnova/prometheus/rules.yml', '/opt/cloudnova/prometheus/prometheus.yml']);
  assert.deepEqual(files[1].validate!('/opt/cloudnova/prometheus/t'), [
    'docker', 'run', '--rm', '--network', 'none', '-v', '/opt/cloudnova/prometheus:/opt/cloudnova/prometheus:ro',
    '--entrypoint', 'promtool', 'cloudnova/prometheus:2.42.0', 'check', 'config', '/opt/cloudnova/prometheus/t',
  ]);
  assert.equal(prometheusReloadArgv(vars).at(-1), 'prometheus');
});

test('alertmanager: checked by amtool in its image', () => {
  const [file] = alertmanagerFiles(vars);
  assert.equal(file.dest, '/opt/cloudnova/alertmanager/alertmanager.yml');
  assert.deepEqual(file.validate!('/tmp/x').slice(-4), ['amtool', vars.images.alertmanager, 'check-config', '/tmp/x']);
});

test('grafana: config, provisioning, dashboards, a 0400 password file; restart hash ignores dashboards and the password', () => {
  const files = grafanaFiles(vars, lab1, 's3cret', { 3662: { title: 'Prometheus 2.0 Overview', panels: [] } });
  assert.deepEqual(files.map((f) => f.dest), [
    '/opt/cloudnova/grafana/grafana.ini',
    '/opt/cloudnova/grafana/provisioning/datasources/cloudnova.yaml',
    '/opt/cloudnova/grafana/provisioning/dashboards/cloudnova.yaml',
    '/opt/cloudnova/grafana/dashboards/cloudnova-overview.json',
    '/opt/cloudnova/grafana/secrets/admin-password',
    '/opt/cloudnova/grafana/dashboards/grafana-com-3662.json',
  ]);
  const password = files.find((f) => f.dest.endsWith('admin-password'))!;
  assert.equal(password.mode, '0400');
  assert.equal(password.secret, true);
  assert.deepEqual(Object.keys(grafanaRestartFiles(files)), files.slice(0, 3).map((f) => f.dest));
  assert.match(configHash(grafanaRestartFiles(files)), /^[0-9a-f]{64}$/);
});

test('compose: a release file validated by docker compose config', () => {
  const input = { vars, host: lab1, prometheusFlags: prometheusFlags(vars, lab1), alertmanagerFlags: alertmanagerFlags(), nodeExporter: nodeExporterContainer(vars) };
  const { releaseId, files: [file] } = composeFiles(input);
  assert.match(releaseId, /^[0-9a-f]{12}$/);
  assert.equal(composeFiles(input).releaseId, releaseId, 'same stack, same release: a rerun changes nothing');
  assert.notEqual(composeFiles({ ...input, vars: stackVars({ app: { seedDemoUsers: true } }, 'i') }).releaseId, releaseId);
  assert.equal(file.dest, `/opt/cloudnova/releases/${releaseId}/compose.yaml`);
  assert.deepEqual(file.validate!('/t'), ['docker', 'compose', '-p', 'cloudnova', '-f', '/t', 'config', '-q']);
  assert.throws(() => releaseComposePath('../x y'), /release id/);
  assert.deepEqual(switchReleaseArgv('abc').argv.slice(3), ['sh', 'releases/abc/compose.yaml', '/opt/cloudnova/compose.yaml', 'abc', '/opt/cloudnova/releases/history']);
});

test('compose: the switch probe and current-release reader work in a real shell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudnova-rel-'));
  try {
    const link = join(dir, 'compose.yaml');
    const history = join(dir, 'history');
    const sub = (argv: string[]) => argv.map((a) => a.replace('/opt/cloudnova/compose.yaml', link).replace('/opt/cloudnova/releases/history', history));
    const { argv, unless } = switchReleaseArgv('abc123');
    mkdirSync(join(dir, 'releases', 'abc123'), { recursive: true });
    writeFileSync(join(dir, 'releases', 'abc123', 'compose.yaml'), 'services: {}\n');
    assert.notEqual(spawnSync(unless[0], sub(unless).slice(1)).status, 0, 'no link yet: switch needed');
    assert.equal(spawnSync(argv[0], sub(argv).slice(1)).status, 0);
    assert.equal(spawnSync(unless[0], sub(unless).slice(1)).status, 0, 'already there: nothing to do');
    assert.equal(readFileSync(history, 'utf8'), 'abc123\n', 'the switch is recorded for rollback');
    const cur = sub(currentReleaseArgv());
    assert.equal(spawnSync(cur[0], cur.slice(1), { encoding: 'utf8' }).stdout.trim(), 'abc123');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
