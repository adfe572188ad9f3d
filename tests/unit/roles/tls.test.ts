import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import type { HostConfig } from '../../../lib/core/types.ts';
import { decideCertificate, type ExistingCertificate } from '../../../roles/tls/decide.ts';
import { desiredSans, parseSubjectAltName } from '../../../roles/tls/sans.ts';
import { checkOwnCertificate, ensureHostCertificate } from '../../../roles/tls/certificates.ts';

const host: HostConfig = {
  name: 'lab-1', address: '127.0.0.1', port: 2221, user: 'admin', privateKeyPath: '/k', groups: ['all', 'web'],
  vars: {}, become: true, privateAddress: '172.30.0.11', publicNames: ['Lab-1.example.test', '::1'],
};
const now = new Date('2026-12-03T12:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86400000);
const sans = ['DNS:localhost', 'IP:127.0.0.1'];
const good: ExistingCertificate = { sans, notAfter: days(200), signedByCurrentCa: true, keyMatches: true };

test('desiredSans covers address, private address, public names, localhost; normalised and sorted', () => {
  assert.deepEqual(desiredSans(host), ['DNS:lab-1.example.test', 'DNS:localhost', 'IP:127.0.0.1', 'IP:172.30.0.11', 'IP:::1']);
});

test('parseSubjectAltName reads node output, IPv6 expanded form included', () => {
  assert.deepEqual(parseSubjectAltName('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1'), ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
});

test('decideCertificate: reuse, or renew with a reason', () => {
  assert.equal(decideCertificate(good, sans, now), 'reuse');
  assert.deepEqual(decideCertificate(null, sans, now), { renew: 'no certificate yet' });
  assert.match((decideCertificate(good, [...sans, 'DNS:new.example'], now) as { renew: string }).renew, /SANs changed: missing DNS:new.example/);
  assert.match((decideCertificate(good, ['DNS:localhost'], now) as { renew: string }).renew, /no longer wanted IP:127.0.0.1/);
  assert.match((decideCertificate({ ...good, notAfter: days(29) }, sans, now) as { renew: string }).renew, /expires in 29 days/);
  assert.equal(decideCertificate({ ...good, notAfter: days(31) }, sans, now), 'reuse');
  assert.deepEqual(decideCertificate({ ...good, notAfter: days(-1) }, sans, now), { renew: 'expired' });
  assert.deepEqual(decideCertificate({ ...good, signedByCurrentCa: false }, sans, now), { renew: 'not signed by the current CA' });
  assert.deepEqual(decideCertificate({ ...good, keyMatches: false }, sans, now), { renew: 'key does not match the certificate' });
});

test('ensureHostCertificate issues once, reuses, renews on SAN change; openssl verifies the chain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudnova-tls-'));
  try {
    const tlsDir = join(dir, 'tls');
    const opts = { tlsDir, hostName: 'lab-1', sans: desiredSans(host), validityDays: 397, renewDaysBefore: 30 };
    const first = await ensureHostCertificate(opts);
    assert.deepEqual(first.action, { issued: 'no certificate yet' });
    assert.equal(statSync(first.files.key).mode & 0o777, 0o600);
    assert.equal(statSync(join(tlsDir, 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(tlsDir).mode & 0o777, 0o700);
    const cert = new X509Certificate(readFileSync(first.files.cert));
    assert.deepEqual(parseSubjectAltName(cert.subjectAltName), desiredSans(host));

    const again = await ensureHostCertificate(opts);
    assert.equal(again.action, 'reused');
    assert.equal(readFileSync(again.files.cert, 'utf8'), readFileSync(first.files.cert, 'utf8'));

    const renewed = await ensureHostCertificate({ ...opts, sans: [...opts.sans, 'DNS:extra.example.test'] });
    assert.match((renewed.action as { issued: string }).issued, /missing DNS:extra.example.test/);

    const openssl = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', first.files.caCert, first.files.cert], { encoding: 'utf8' });
    if (!openssl.error) {
      assert.equal(openssl.status, 0, openssl.stderr);
      assert.match(openssl.stdout, /: OK/);
    } // else: no openssl on this machine; the node checks above still ran

    // 380 days on, fewer than 30 remain: a new certificate.
    const late = await ensureHostCertificate({ ...opts, sans: [...opts.sans, 'DNS:extra.example.test'], now: new Date(Date.now() + 380 * 86400000) });
    assert.match((late.action as { issued: string }).issued, /expires in \d+ days/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bring your own: the pair must match; SANs the host lacks are reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudnova-byo-'));
  try {
    const a = await ensureHostCertificate({ tlsDir: join(dir, 'a'), hostName: 'a', sans: ['DNS:localhost'], validityDays: 90, renewDaysBefore: 30 });
    const b = await ensureHostCertificate({ tlsDir: join(dir, 'b'), hostName: 'b', sans: ['DNS:localhost'], validityDays: 90, renewDaysBefore: 30 });
    const own = checkOwnCertificate(a.files.cert, a.files.key, desiredSans(host));
    assert.deepEqual(own.missingSans, ['DNS:lab-1.example.test', 'IP:127.0.0.1', 'IP:172.30.0.11', 'IP:::1']);
    assert.throws(() => checkOwnCertificate(a.files.cert, b.files.key, []), /is not the private key of .*a\.crt: set vars.tls.keyFile/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
