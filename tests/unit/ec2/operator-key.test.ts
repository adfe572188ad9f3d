import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { ensureOperatorKey, publicKeyFromOpenSsh } from '../../../lib/connection/operator-key.ts';
import { tempState } from './fake-ec2.ts';

describe('ensureOperatorKey', () => {
  test('makes an ed25519 key once, 0600, readable by OpenSSH and ssh2', async () => {
    const state = tempState();
    const first = await ensureOperatorKey(state, { create: true });
    assert.equal(first.created, true);
    assert.equal(statSync(first.privateKeyPath).mode & 0o777, 0o600);
    assert.equal(statSync(state.path('ssh')).mode & 0o777, 0o700);
    assert.equal(readFileSync(`${first.privateKeyPath}.pub`, 'utf8').trim(), first.publicKey);

    const parsed = ssh2.utils.parseKey(readFileSync(first.privateKeyPath));
    assert.ok(!(parsed instanceof Error), String(parsed));
    const key = Array.isArray(parsed) ? parsed[0]! : parsed;
    assert.equal(key.type, 'ssh-ed25519');
    assert.equal(`ssh-ed25519 ${key.getPublicSSH().toString('base64')}`, first.publicKey!.split(' ').slice(0, 2).join(' '));
    // And it really signs: the private half matches the public half.
    const sig = key.sign(Buffer.from('cloudnova'));
    assert.ok(!(sig instanceof Error) && key.verify(Buffer.from('cloudnova'), sig));

    const keygen = spawnSync('ssh-keygen', ['-y', '-f', first.privateKeyPath], { encoding: 'utf8' });
    if (keygen.error === undefined) assert.equal(keygen.stdout.trim().split(' ').slice(0, 2).join(' '), first.publicKey!.split(' ').slice(0, 2).join(' '));

    const second = await ensureOperatorKey(state, { create: true });
    assert.deepEqual(second, { ...first, created: false });
  });

  test('under --check nothing is created', async () => {
    const state = tempState();
    const k = await ensureOperatorKey(state, { create: false });
    assert.deepEqual([k.created, k.publicKey], [false, undefined]);
  });

  test('an existing key without .pub: the public key is read from the private file', async () => {
    const state = tempState();
    const made = await ensureOperatorKey(state, { create: true });
    unlinkSync(`${made.privateKeyPath}.pub`);
    const again = await ensureOperatorKey(state, { create: true });
    assert.equal(again.publicKey, made.publicKey!.split(' ').slice(0, 2).join(' '));
  });

  test('a non-OpenSSH key without .pub says how to make one', () => {
    const path = tempState().path('ssh', 'id_ed25519');
    // A PKCS#8 key (not OpenSSH's format), made at run time.
    const pkcs8 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileSync(path, pkcs8, { mode: 0o600 });
    assert.throws(() => publicKeyFromOpenSsh(readFileSync(path, 'utf8'), path), /ssh-keygen -y -f .*id_ed25519 > .*id_ed25519\.pub/);
  });
});
