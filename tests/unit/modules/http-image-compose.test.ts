import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { curlArgv, httpCheck, parseCurl, planHttp } from '../../../lib/modules/http.ts';
import { image, inspectIdLine, planImage } from '../../../lib/modules/image.ts';
import { composeUpArgv, gatherComposeLine, parseComposeFacts, planCompose } from '../../../lib/modules/compose.ts';
import { FakeConnection } from '../../helpers/fake-connection.ts';

test('http: curl argv and parsing; plan matches status and body', () => {
  assert.deepEqual(curlArgv({ url: 'https://x/', insecure: true }, 5000), [
    'curl', '-sS', '--max-time', '5', '-o', '-', '-w', '\n@@cloudnova:status=%{http_code}', '-k', '--', 'https://x/',
  ]);
  const facts = parseCurl('hello world\n@@cloudnova:status=200', '');
  assert.deepEqual(facts, { status: 200, body: 'hello world', error: undefined });
  assert.deepEqual(planHttp({ url: 'u', body: /world/ }, facts).changes, []);
  assert.equal(planHttp({ url: 'u', status: 204 }, facts).changes.length, 1);
  assert.match(planHttp({ url: 'u' }, parseCurl('', 'Connection refused')).changes[0].what, /Connection refused/);
});

test('http from the controller waits until the body matches, then times out clearly', async () => {
  let calls = 0;
  const server = createServer((_req, res) => res.end(++calls >= 3 ? 'ready' : 'starting'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const conn = new FakeConnection('h');
    const m = httpCheck({ url, body: 'ready', intervalMs: 20, timeoutMs: 2000 });
    const facts = await m.gather(conn);
    const plan = m.plan(facts);
    assert.equal(plan.changes.length, 1);
    await m.apply(conn, plan, facts);
    assert.equal(conn.stats.execs, 0);
    const never = httpCheck({ url, body: 'nope', intervalMs: 20, timeoutMs: 100 });
    await assert.rejects(never.apply(conn, plan, await never.gather(conn)), /not ready after .*expected status 200 and body matching nope; got status 200, body "ready"/);
  } finally {
    server.close();
  }
});

test('image: skipped when the host has the same ID; pushed otherwise', () => {
  assert.equal(inspectIdLine('cloudnova/nginx:1').text, "docker image inspect --format '{{.Id}}' cloudnova/nginx:1 2>/dev/null || docker version >/dev/null");
  const spec = { image: 'cloudnova/nginx:1', delivery: 'push' as const };
  assert.deepEqual(planImage(spec, { hostId: 'sha256:aaa', controllerId: 'sha256:aaa' }).changes, []);
  assert.deepEqual(planImage(spec, { hostId: '', controllerId: 'sha256:bbbbbbbbbbbbbbbb' }).changes, [{ what: 'push cloudnova/nginx:1 (absent -> bbbbbbbbbbbb)' }]);
  assert.throws(() => planImage(spec, { hostId: '', controllerId: '' }), /not on the controller/);
  assert.deepEqual(planImage({ image: 'nginx:1', delivery: 'pull' }, { hostId: '' }).changes, [{ what: 'pull nginx:1' }]);
  assert.deepEqual(planImage({ image: 'nginx:1', delivery: 'pull' }, { hostId: 'sha256:x' }).changes, []);
});

test('image push gathers with one remote exec', async () => {
  const host = new FakeConnection('h', () => ({ stdout: 'sha256:aaa\n' }));
  const controller = new FakeConnection('controller', () => ({ stdout: 'sha256:aaa\n' }));
  const m = image({ image: 'x:1', delivery: 'push', controller });
  const facts = await m.gather(host);
  assert.equal(host.stats.execs, 1);
  assert.deepEqual(m.plan(facts).changes, []);
});

test('compose: up argv and one gather line', () => {
  const spec = { project: 'cloudnova', file: '/opt/cloudnova/compose.yaml' };
  assert.deepEqual(composeUpArgv(spec), ['docker', 'compose', '-p', 'cloudnova', '-f', '/opt/cloudnova/compose.yaml', 'up', '-d', '--remove-orphans']);
  const line = gatherComposeLine(spec).text;
  assert.match(line, /config --hash '\*' 2>&1 \|\| echo @@config-failed/);
  assert.match(line, /ps -a --format json/);
});

test('compose plan: create, recreate on config or image change, orphans, nothing when up', () => {
  const out = [
    '@@cloudnova:hash', 'web aaa', 'db bbb', 'new ccc',
    '@@cloudnova:services', JSON.stringify({ services: { web: { image: 'cloudnova/nginx:1' }, db: { image: 'pg:16' }, new: { image: 'x' } } }),
    '@@cloudnova:images', 'cloudnova/nginx:1 sha256:n2', 'pg:16 sha256:p1', 'x sha256:x1',
    '@@cloudnova:ps',
    JSON.stringify({ Service: 'web', State: 'running', Labels: 'com.docker.compose.config-hash=aaa,com.docker.compose.project=cloudnova' }),
    JSON.stringify({ Service: 'db', State: 'running', Labels: 'com.docker.compose.config-hash=old' }),
    JSON.stringify({ Service: 'gone', State: 'exited', Labels: 'com.docker.compose.config-hash=ddd' }),
    '@@cloudnova:running', 'web sha256:n1', 'db sha256:p1', 'gone sha256:g',
  ].join('\n');
  const facts = parseComposeFacts(out);
  assert.deepEqual(planCompose({ project: 'p', file: 'f' }, facts).changes.map((c) => c.what), [
    'recreate web (new image)', 'recreate db (config changed)', 'create new', 'remove orphan gone',
  ]);
  const up = parseComposeFacts(['@@cloudnova:hash', 'web aaa', '@@cloudnova:ps', '[{"Service":"web","State":"running","Labels":"com.docker.compose.config-hash=aaa"}]'].join('\n'));
  assert.deepEqual(planCompose({ project: 'p', file: 'f' }, up).changes, []);
  const missing = parseComposeFacts('@@cloudnova:hash\nopen /f: no such file or directory\n@@config-failed\n');
  assert.match(planCompose({ project: 'p', file: 'f' }, missing).changes[0].what, /not readable yet: open \/f/);
});
