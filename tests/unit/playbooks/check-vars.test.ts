import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../../lib/core/types.ts';
import { loadInventory } from '../../../lib/inventory/load.ts';
import { checkStackVars, unusedGroups } from '../../../playbooks/support/check-vars.ts';

const DEFINE = pathToFileURL(join(import.meta.dirname, '..', '..', '..', 'lib', 'inventory', 'define.ts')).href;

/** A lab-provider inventory (no key files needed) with the given env, group and host vars. */
async function inventoryWith(body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudnova-vars-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const file = join(dir, 'inventory.ts');
  writeFileSync(file, `import { defineInventory } from '${DEFINE}';\nexport default defineInventory(${body});\n`);
  return { inventory: await loadInventory({ file, env: 'lab' }), file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function rejection(body: string): Promise<{ error: ConfigError; file: string }> {
  const { inventory, file, cleanup } = await inventoryWith(body);
  try {
    await checkStackVars(inventory);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return { error: e, file };
  } finally {
    cleanup();
  }
  throw new assert.AssertionError({ message: 'expected a ConfigError' });
}

test('a bad group var is reported at the group layer that set it, before any host', async () => {
  const { error, file } = await rejection(`{ defaultEnv: 'lab', environments: { lab: {
    provider: { kind: 'lab' },
    groups: { web: { hosts: ['lab-1'] }, monitoring: { hosts: ['lab-1'], vars: { nginx: { hsts: { maxAge: -1 } } } } } } } }`);
  assert.equal(error.file, file);
  assert.equal(error.field, 'environments.lab.groups.monitoring.vars.nginx.hsts.maxAge (host lab-1)');
  assert.match(error.message, /positive integer/);
});

test('a host var wins over the environment: the host layer is named', async () => {
  const { error } = await rejection(`{ defaultEnv: 'lab', environments: { lab: {
    provider: { kind: 'lab' }, vars: { prometheus: { retention: '15d' } },
    groups: { web: { hosts: ['lab-1'] } }, hosts: { 'lab-1': { vars: { prometheus: { retention: 'abc' } } } } } } }`);
  assert.match(error.field, /^environments\.lab\.hosts\.lab-1\.vars\.prometheus\.retention/);
});

test('an unknown var section is rejected with a suggestion', async () => {
  const { error } = await rejection(`{ defaultEnv: 'lab', vars: { ngnix: {} }, environments: { lab: {
    provider: { kind: 'lab' }, groups: { web: { hosts: ['lab-1'] } } } } }`);
  assert.equal(error.field, 'vars.ngnix');
  assert.match(error.message, /did you mean 'nginx'/);
});

test('valid vars pass, and a group no role uses is pointed out', async () => {
  const { inventory, cleanup } = await inventoryWith(`{ defaultEnv: 'lab', environments: { lab: {
    provider: { kind: 'lab' }, vars: { nginx: { hsts: { maxAge: 600 } } },
    groups: { web: { hosts: ['lab-1'] }, monitoring: { hosts: ['lab-1'] }, monitring: { hosts: ['lab-1'] } } } } }`);
  try {
    await checkStackVars(inventory);
    assert.deepEqual(unusedGroups(inventory), ['monitring']);
  } finally {
    cleanup();
  }
});

test('a listed web host without a private address is refused (its metrics would be public)', async () => {
  const { checkPrivateAddresses } = await import('../../../playbooks/support/check-vars.ts');
  const host = { name: 'web1', address: '192.0.2.10', port: 22, user: 'admin', privateKeyPath: '/k', groups: ['all', 'web'], vars: {}, become: true };
  const inventory = { env: 'own', file: 'inventory.ts', hosts: [host], groups: { all: ['web1'], web: ['web1'] }, vars: {} };
  assert.throws(() => checkPrivateAddresses(inventory), (e: unknown) => e instanceof ConfigError && e.field === 'environments.own.hosts.web1.privateAddress');
  checkPrivateAddresses({ ...inventory, hosts: [{ ...host, privateAddress: '10.0.0.10' }] });
});
