import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingPackages } from '../../lib/setup/system-deps.ts';

test('nothing is missing when every program is found', () => {
  assert.deepEqual(missingPackages('tests', () => '/usr/bin/x'), []);
});

test('missing programs map to their Debian packages, each package once', () => {
  const present = new Set(['ssh', 'nginx']);
  const find = (p: string) => (present.has(p) ? `/usr/bin/${p}` : undefined);
  assert.deepEqual(missingPackages('tests', find), ['docker.io', 'openssh-client', 'openssh-server', 'debootstrap', 'prometheus', 'sudo', 'prometheus-alertmanager', 'prometheus-node-exporter', 'openssl']);
});

test('the lab needs no sshd on the controller, the tests do', () => {
  const find = (p: string) => (p === 'sshd' ? undefined : `/usr/bin/${p}`);
  assert.deepEqual(missingPackages('lab', find), []);
  assert.deepEqual(missingPackages('tests', find), ['openssh-server']);
});
