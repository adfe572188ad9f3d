import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openState, stateRoot } from '../../lib/state.ts';

test('stateRoot: $CLOUDNOVA_STATE_DIR or .cloudnova in the project', () => {
  assert.equal(stateRoot({ CLOUDNOVA_STATE_DIR: '/x/y' }), '/x/y');
  assert.match(stateRoot({}), /\/\.cloudnova$/);
});

test('path() creates 0700 parents and stays inside the root', async () => {
  const root = join(await mkdtemp(join(tmpdir(), 'cn-state-')), 'state');
  try {
    const state = await openState(root);
    assert.equal((await stat(root)).mode & 0o777, 0o700);
    const p = state.path('ssh', 'known_hosts');
    assert.equal(p, join(root, 'ssh', 'known_hosts'));
    assert.equal((await stat(join(root, 'ssh'))).mode & 0o777, 0o700);
    assert.throws(() => state.path('..', 'etc'), /escapes/);
  } finally {
    await rm(join(root, '..'), { recursive: true, force: true });
  }
});

test('secret(): created once, 0600, same value for concurrent callers and later runs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cn-state-'));
  try {
    const state = await openState(root);
    let made = 0;
    const make = () => `pw-${++made}`;
    const [a, b] = await Promise.all([state.secret('grafana-admin', make), state.secret('grafana-admin', make)]);
    assert.equal(a.value, 'pw-1');
    assert.equal(b.value, 'pw-1');
    assert.equal(a.path, join(root, 'secrets', 'grafana-admin'));
    assert.equal((await stat(a.path)).mode & 0o777, 0o600);
    assert.equal(await readFile(a.path, 'utf8'), 'pw-1');
    const later = await (await openState(root)).secret('grafana-admin', make);
    assert.equal(later.value, 'pw-1');
    assert.equal(made, 1);
    assert.throws(() => state.secret('../x', make), /secret name/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
