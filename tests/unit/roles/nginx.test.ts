// The rendered nginx.conf against the real nginx on this machine: `nginx -t`, then a
// live instance on high ports checked over http and https.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { ConfigError } from '../../../lib/core/types.ts';
import { stackVars } from '../../../roles/stack-vars.ts';
import { nginxFilePaths, renderNginxConfig, type NginxRuntime } from '../../../roles/nginx/render.ts';
import { htpasswdLine, htpasswdLineMatches } from '../../../roles/nginx/htpasswd.ts';
import { ensureHostCertificate } from '../../../roles/tls/certificates.ts';
import { desiredSans } from '../../../roles/tls/sans.ts';
import { lab1, lab2, labHost } from './helpers/fixtures.ts';
import { freePort, httpsGet, waitFor } from './helpers/net.ts';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const work = mkdtempSync(join(tmpdir(), 'cloudnova-nginx-'));
// nginx workers run unprivileged and read the htpasswd file at request time (as on a host).
chmodSync(work, 0o755);
after(() => rmSync(work, { recursive: true, force: true }));

/** A root folder laid out like /opt/cloudnova on a host: tls/ and nginx/ with real files. */
async function stackRoot(name: string): Promise<{ runtime: Partial<NginxRuntime>; ca: string; root: string }> {
  const root = join(work, name);
  mkdirSync(join(root, 'nginx'), { recursive: true });
  mkdirSync(join(root, 'tls'), { recursive: true });
  mkdirSync(join(root, 'temp'), { recursive: true });
  const cert = await ensureHostCertificate({ tlsDir: join(work, 'state-tls'), hostName: 'lab-1', sans: desiredSans(lab1), validityDays: 397, renewDaysBefore: 30 });
  const files = nginxFilePaths(root);
  copyFileSync(cert.files.cert, files.certificate);
  copyFileSync(cert.files.key, files.certificateKey);
  writeFileSync(files.htpasswd, htpasswdLine('admin', 'correct horse') + '\n', { mode: 0o644 });
  return {
    root,
    ca: readFileSync(cert.files.caCert, 'utf8'),
    runtime: {
      root,
      pidFile: join(root, 'nginx.pid'),
      errorLog: join(root, 'error.log'),
      accessLog: join(root, 'access.log'),
      tempDir: join(root, 'temp'),
    },
  };
}

function nginxTest(root: string, config: string): { ok: boolean; output: string } {
  const file = join(root, 'nginx', 'candidate.conf');
  writeFileSync(file, config);
  const r = spawnSync(NGINX!, ['-t', '-p', root, '-c', file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: r.stderr + r.stdout };
}

test('htpasswd {SSHA} lines verify and reject', () => {
  const line = htpasswdLine('admin', 'pw', Buffer.from('12345678'));
  assert.equal(line, htpasswdLine('admin', 'pw', Buffer.from('12345678')), 'same salt, same line: stable across runs');
  assert.ok(htpasswdLineMatches(line, 'admin', 'pw'));
  assert.ok(!htpasswdLineMatches(line, 'admin', 'other'));
  assert.ok(!htpasswdLineMatches(line, 'root', 'pw'));
});

test('invalid nginx vars are rejected with the field path', () => {
  assert.throws(() => stackVars({ nginx: { hsts: { maxAge: -1 } } }, 'inventory.ts'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.message, 'inventory.ts: vars.nginx.hsts.maxAge: expected a positive integer, got -1');
    return true;
  });
  assert.throws(() => stackVars({ nginx: { redirectHttpsPort: 70000 } }, 'inventory.ts'), /vars\.nginx\.redirectHttpsPort: expected a port/);
  assert.throws(() => stackVars({ nginx: { hsts: { maxage: 5 } } }, 'inventory.ts'), /vars\.nginx\.hsts\.maxage: unknown field/);
});

test('locations follow the host groups', () => {
  const vars = stackVars({ grafana: { enabled: false } }, 'inventory.ts');
  const both = renderNginxConfig(vars, lab1);
  assert.match(both, /location \/prometheus\/ \{[^}]*auth_basic_user_file \/opt\/cloudnova\/nginx\/htpasswd;/);
  assert.match(both, /location \/grafana\/ \{[^}]*return 503/);
  assert.match(both, /set \$app_upstream app:3000;/);
  const web = renderNginxConfig(vars, lab2);
  assert.doesNotMatch(web, /location [=^~ ]*\/(prometheus|grafana)/);
  assert.match(web, /ssl_certificate \/opt\/cloudnova\/tls\/server.crt;/);
  const monitoringOnly = renderNginxConfig(stackVars({ images: { grafana: 'grafana/grafana-oss:11.3.1' } }, 'i'), labHost('mon', 3, ['monitoring']));
  assert.doesNotMatch(monitoringOnly, /app_upstream/);
  assert.match(monitoringOnly, /set \$grafana_upstream grafana:3000;/);
  assert.match(monitoringOnly, /proxy_set_header Upgrade \$http_upgrade;/);
  assert.match(renderNginxConfig(stackVars({ nginx: { redirectHttpsPort: 8441 } }, 'i'), lab2), /return 301 https:\/\/\$host:8441\$request_uri;/);
  // Unset: the port of the host's published https URL (lab-2: 8442), else 443.
  assert.match(web, /return 301 https:\/\/\$host:8442\$request_uri;/);
  assert.match(renderNginxConfig(vars, { ...lab2, urls: undefined }), /return 301 https:\/\/\$host\$request_uri;/);
  assert.match(renderNginxConfig(stackVars({ nginx: { redirectHttpsPort: 443 } }, 'i'), lab2), /return 301 https:\/\/\$host\$request_uri;/);
});

test('nginx -t accepts the config for web, monitoring and both', { skip: !NGINX && 'nginx not installed' }, async () => {
  const { runtime, root } = await stackRoot('check');
  const cases = [
    [stackVars({ grafana: { enabled: false } }, 'i'), lab1],
    [stackVars({}, 'i'), lab1],
    [stackVars({ grafana: { enabled: false } }, 'i'), lab2],
    [stackVars({ nginx: { hsts: { maxAge: 300, includeSubDomains: false }, redirectHttpsPort: 8443 } }, 'i'), labHost('mon', 3, ['monitoring'])],
  ] as const;
  for (const [vars, host] of cases) {
    const r = nginxTest(root, renderNginxConfig(vars, host, runtime));
    assert.ok(r.ok, `${host.name}: ${r.output}`);
  }
});

test('live nginx: redirect keeps host:port and path, HSTS, /metrics hidden, /prometheus/ needs auth', { skip: !NGINX && 'nginx not installed' }, async () => {
  const { runtime, root, ca } = await stackRoot('live');
  const [httpPort, httpsPort, appPort] = [await freePort(), await freePort(), await freePort()];
  const app: Server = createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`app saw ${req.url} host=${req.headers.host} proto=${req.headers['x-forwarded-proto']}`);
  });
  await new Promise<void>((r) => app.listen(appPort, '127.0.0.1', r));
  const vars = stackVars({ grafana: { enabled: false }, nginx: { listen: { http: httpPort, https: httpsPort }, redirectHttpsPort: httpsPort } }, 'i');
  const config = renderNginxConfig(vars, lab1, {
    ...runtime,
    resolver: '127.0.0.1', // unused: upstreams below are IPs
    upstreams: { app: `127.0.0.1:${appPort}`, prometheus: '127.0.0.1:1', grafana: '127.0.0.1:1' },
  });
  const file = join(root, 'nginx', 'nginx.conf');
  writeFileSync(file, config);
  let nginx: ChildProcess | undefined;
  try {
    nginx = spawn(NGINX!, ['-p', root, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr!.on('data', (c) => (stderr += c));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/`, { redirect: 'manual' })).status === 301).catch(() => {
      throw new Error(`nginx did not start: ${stderr}`);
    });

    const redirect = await fetch(`http://127.0.0.1:${httpPort}/x/y?z=1`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), `https://127.0.0.1:${httpsPort}/x/y?z=1`);

    const base = `https://127.0.0.1:${httpsPort}`;
    const home = await httpsGet(`${base}/users?a=b`, { ca });
    assert.equal(home.status, 200);
    assert.equal(home.body, `app saw /users?a=b host=127.0.0.1:${httpsPort} proto=https`);
    assert.equal(home.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains');
    assert.equal(home.headers['x-content-type-options'], 'nosniff');

    assert.equal((await httpsGet(`${base}/metrics`, { ca })).status, 404);
    assert.equal((await httpsGet(`${base}/metrics/extra`, { ca })).status, 404);
    const noAuth = await httpsGet(`${base}/prometheus/graph`, { ca });
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains', 'HSTS also on errors');
    assert.equal((await httpsGet(`${base}/prometheus/graph`, { ca, auth: 'admin:wrong' })).status, 401);
    const authed = await httpsGet(`${base}/prometheus/graph`, { ca, auth: 'admin:correct horse' });
    assert.ok([502, 504].includes(authed.status), `upstream down: expected 502/504, got ${authed.status}`);
    const grafana = await httpsGet(`${base}/grafana/`, { ca });
    assert.equal(grafana.status, 503);
    assert.match(grafana.body, /Grafana is not enabled/);
    const slash = await httpsGet(`${base}/prometheus`, { ca });
    assert.equal(slash.status, 301);
    assert.equal(slash.headers.location, '/prometheus/', 'relative redirect keeps the published port');

    // TLS 1.1 is refused (openssl s_client, when present).
    const s = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${httpsPort}`, '-tls1_1'], { input: '', encoding: 'utf8', timeout: 10_000 });
    if (!s.error) assert.notEqual(s.status, 0, 'TLS 1.1 handshake must fail');
  } finally {
    nginx?.kill('SIGQUIT');
    await new Promise((r) => (nginx && nginx.exitCode === null ? nginx.once('exit', r) : r(null)));
    await new Promise((r) => app.close(r));
  }
});
