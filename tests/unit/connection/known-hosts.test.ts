import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAndRecord, keyTypeOfBlob, knownHostsName, parseKnownHosts, removeHostHint, verdict } from '../../../lib/connection/known-hosts.ts';
import { fingerprint } from '../../../lib/connection/ssh-connect.ts';

function blob(type: string, body = 'key-bytes'): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
}

test('knownHostsName brackets address and port, even port 22', () => {
  assert.equal(knownHostsName('127.0.0.1', 2222), '[127.0.0.1]:2222');
  assert.equal(knownHostsName('web1.example', 22), '[web1.example]:22');
});

test('parseKnownHosts: OpenSSH lines, several names, comments and hashed lines skipped', () => {
  const text = [
    '# comment',
    '',
    '[127.0.0.1]:2201 ssh-ed25519 AAAAkey1',
    '[a]:22,[b]:22 ssh-rsa AAAArsa comment here',
    '|1|hash= ssh-ed25519 AAAAhashed',
    '@cert-authority *.example ssh-ed25519 AAAAca',
    'broken-line',
  ].join('\n');
  const map = parseKnownHosts(text);
  assert.deepEqual(map.get('[127.0.0.1]:2201'), [{ type: 'ssh-ed25519', key: 'AAAAkey1' }]);
  assert.deepEqual(map.get('[b]:22'), [{ type: 'ssh-rsa', key: 'AAAArsa' }]);
  assert.equal(map.size, 3);
});

test('verdict: new, known, changed (also a different key type)', () => {
  const k = { type: 'ssh-ed25519', key: 'A' };
  assert.equal(verdict(undefined, k), 'new');
  assert.equal(verdict([k], k), 'known');
  assert.equal(verdict([k], { type: 'ssh-ed25519', key: 'B' }), 'changed');
  assert.equal(verdict([k], { type: 'ssh-rsa', key: 'A' }), 'changed');
});

test('keyTypeOfBlob reads the wire-format type name', () => {
  assert.equal(keyTypeOfBlob(blob('ssh-ed25519')), 'ssh-ed25519');
  assert.equal(keyTypeOfBlob(Buffer.from([0, 0])), 'unknown');
});

test('fingerprint has the OpenSSH SHA256: form without padding', () => {
  assert.match(fingerprint(blob('ssh-ed25519')), /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('checkAndRecord: first contact recorded 0600, same key known, other key changed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cn-kh-'));
  try {
    const file = join(dir, 'ssh', 'known_hosts');
    const name = knownHostsName('127.0.0.1', 2201);
    const key = { type: 'ssh-ed25519', key: blob('ssh-ed25519', 'one').toString('base64') };
    assert.equal(await checkAndRecord(file, name, key), 'new');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await checkAndRecord(file, name, key), 'known');
    assert.equal(await checkAndRecord(file, name, { ...key, key: 'other' }), 'changed');
    // Many hosts at once: one line each, none lost.
    await Promise.all(Array.from({ length: 20 }, (_, i) => checkAndRecord(file, knownHostsName('127.0.0.1', 3000 + i), key)));
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 21);
    assert.equal(lines[0], `${name} ssh-ed25519 ${key.key}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('checkAndRecord keeps existing lines written by ssh', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cn-kh-'));
  try {
    const file = join(dir, 'known_hosts');
    await writeFile(file, '[h]:22 ssh-ed25519 AAAA\n');
    assert.equal(await checkAndRecord(file, '[h]:22', { type: 'ssh-ed25519', key: 'AAAA' }), 'known');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('removeHostHint is a command the user can paste', () => {
  assert.equal(removeHostHint('/p/.cloudnova/ssh/known_hosts', '[1.2.3.4]:22'), "ssh-keygen -f '/p/.cloudnova/ssh/known_hosts' -R '[1.2.3.4]:22'");
});

test('forgetting hosts drops only their lines', async () => {
  const { withoutHosts } = await import('../../../lib/connection/known-hosts.ts');
  const text = '[1.2.3.4]:22 ssh-ed25519 AAA\n[5.6.7.8]:22 ssh-ed25519 BBB\n# comment\n[1.2.3.4]:22,[other]:22 ssh-rsa CCC\n';
  assert.equal(withoutHosts(text, ['[1.2.3.4]:22']), '[5.6.7.8]:22 ssh-ed25519 BBB\n# comment\n');
  assert.equal(withoutHosts(text, ['[9.9.9.9]:22']), text);
});
