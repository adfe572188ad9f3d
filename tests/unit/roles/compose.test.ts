// The compose file per host: services by group, only 80/443 public, pinned images,
// config-hash labels; parsed back with a real YAML parser and, where `docker compose`
// exists, validated by it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { stackVars, type StackVars } from '../../../roles/stack-vars.ts';
import { CONFIG_HASH_LABEL, configHash, renderCompose, servicesFor, type ComposeInput } from '../../../roles/compose/render.ts';
import { prometheusFlags } from '../../../roles/prometheus/render.ts';
import { alertmanagerFlags } from '../../../roles/alertmanager/render.ts';
import { nodeExporterContainer } from '../../../roles/node-exporter/render.ts';
import type { HostConfig } from '../../../lib/core/types.ts';
import { lab1, lab2, labHost } from './helpers/fixtures.ts';
import { noYamlParser, parseYaml } from './helpers/yaml.ts';

const work = mkdtempSync(join(tmpdir(), 'cloudnova-compose-'));
after(() => rmSync(work, { recursive: true, force: true }));
const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

type Service = { image: string; ports?: string[]; labels: Record<string, string>; volumes?: string[]; command?: string[]; healthcheck?: unknown; restart: string };
type ComposeFile = { name: string; services: Record<string, Service>; volumes: Record<string, unknown> };

function input(vars: StackVars, host: HostConfig, extra: Partial<ComposeInput> = {}): ComposeInput {
  return { vars, host, prometheusFlags: prometheusFlags(vars, host), alertmanagerFlags: alertmanagerFlags(), nodeExporter: nodeExporterContainer(vars), ...extra };
}

const parse = (text: string): ComposeFile => parseYaml!(text) as ComposeFile;

test('services follow the groups', () => {
  const withGrafana = stackVars({}, 'i');
  const noGrafana = stackVars({ grafana: { enabled: false }, images: { grafana: null } }, 'i');
  assert.deepEqual(servicesFor(withGrafana, lab1), ['app', 'nginx', 'node-exporter', 'prometheus', 'alertmanager', 'grafana']);
  assert.deepEqual(servicesFor(noGrafana, lab1), ['app', 'nginx', 'node-exporter', 'prometheus', 'alertmanager']);
  assert.deepEqual(servicesFor(withGrafana, lab2), ['app', 'nginx', 'node-exporter']);
  assert.deepEqual(servicesFor(withGrafana, labHost('mon', 3, ['monitoring'])), ['nginx', 'node-exporter', 'prometheus', 'alertmanager', 'grafana']);
});

test('only nginx publishes public ports; app and node-exporter bind the private address', { skip: noYamlParser }, () => {
  const vars = stackVars({}, 'i');
  const file = parse(renderCompose(input(vars, lab1)));
  assert.deepEqual(file.services.nginx.ports, ['80:80', '443:443']);
  assert.deepEqual(file.services.app.ports, ['172.30.0.11:3000:3000']);
  assert.deepEqual(file.services['node-exporter'].ports, ['172.30.0.11:9100:9100']);
  for (const name of ['prometheus', 'alertmanager', 'grafana']) assert.equal(file.services[name].ports, undefined, `${name} must not publish`);
  for (const [name, s] of Object.entries(file.services)) {
    assert.equal(s.restart, 'unless-stopped', name);
    assert.ok(s.healthcheck, `${name} has a healthcheck`);
    assert.match(s.labels[CONFIG_HASH_LABEL], /^[0-9a-f]{64}$/, name);
    assert.doesNotMatch(s.image, /:latest$/, name);
  }
  assert.deepEqual(Object.keys(file.volumes), ['app-data', 'prometheus-data', 'alertmanager-data', 'grafana-data']);
  assert.ok(file.services.nginx.volumes!.includes('/opt/cloudnova/nginx:/opt/cloudnova/nginx:ro'), 'config folder at the same path');
  assert.ok(file.services['node-exporter'].command!.includes('--path.rootfs=/rootfs'));
  assert.ok(file.services['node-exporter'].volumes!.includes('/:/rootfs:ro'));
});

test('web-only host: no monitoring services or their volumes', { skip: noYamlParser }, () => {
  const file = parse(renderCompose(input(stackVars({}, 'i'), lab2)));
  assert.deepEqual(Object.keys(file.services), ['app', 'nginx', 'node-exporter']);
  assert.deepEqual(Object.keys(file.volumes), ['app-data']);
});

test('config-hash changes only for the service whose restart config changed', { skip: noYamlParser }, () => {
  const vars = stackVars({}, 'i');
  const a = parse(renderCompose(input(vars, lab1, { configHashes: { alertmanager: configHash({ 'alertmanager.yml': 'a' }) } })));
  const b = parse(renderCompose(input(vars, lab1, { configHashes: { alertmanager: configHash({ 'alertmanager.yml': 'b' }) } })));
  for (const name of Object.keys(a.services)) {
    const same = a.services[name].labels[CONFIG_HASH_LABEL] === b.services[name].labels[CONFIG_HASH_LABEL];
    assert.equal(same, name !== 'alertmanager', name);
  }
  assert.equal(configHash({ x: '1', y: '2' }), configHash({ y: '2', x: '1' }), 'order of files does not matter');
  assert.notEqual(configHash({ x: '12' }), configHash({ x1: '2' }), 'path and content are separated');
});

test('the same input renders the same bytes; $ is escaped for compose', { skip: noYamlParser }, () => {
  const vars = stackVars({}, 'i');
  const text = renderCompose(input(vars, lab1));
  assert.equal(text, renderCompose(input(vars, lab1)));
  const file = parse(text);
  assert.ok(file.services['node-exporter'].command!.some((f) => f.endsWith('tracefs)$$')), 'compose would eat a single $');
});

test('unpinned images are rejected with the field path', () => {
  assert.throws(() => stackVars({ images: { nginx: 'nginx' } }, 'inventory.ts'), /inventory.ts: vars.images.nginx: expected a pinned tag/);
  assert.throws(() => stackVars({ images: { app: 'registry:5000/app:latest' } }, 'inventory.ts'), /vars.images.app: expected a pinned tag/);
  assert.ok(stackVars({ images: { app: 'registry:5000/app:1.2.3' } }, 'i'));
  assert.throws(() => stackVars({ images: { grafana: null } }, 'inventory.ts'), /vars.grafana.enabled: true but vars.images.grafana is null/);
});

test('docker compose config accepts the file', { skip: !hasCompose && 'docker compose not available' }, () => {
  for (const [vars, host] of [[stackVars({}, 'i'), lab1], [stackVars({}, 'i'), lab2]] as const) {
    const file = join(work, `${host.name}.yaml`);
    writeFileSync(file, renderCompose(input(vars, host)));
    const r = spawnSync('docker', ['compose', '-f', file, 'config', '-q'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
});
