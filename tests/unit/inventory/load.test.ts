import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigError, type HostConfig } from '../../../lib/core/types.ts';
import { addProvidedHosts, loadInventory } from '../../../lib/inventory/load.ts';
import { type Workspace, workspace } from './helpers.ts';

let ws: Workspace;
before(async () => {
  ws = await workspace();
  await ws.key('id_test');
});
after(() => ws.cleanup());

/** A valid `own` environment; tests break one field at a time. */
function own(overrides: Record<string, unknown> = {}) {
  return {
    defaultEnv: 'own',
    vars: { project: 'cn', level: 'all' },
    environments: {
      own: {
        vars: { level: 'env' },
        hosts: {
          web1: { address: '127.0.0.1', port: 2222, user: 'admin', privateKey: 'id_test', vars: { level: 'host' } },
          web2: { address: '127.0.0.2', privateKey: 'id_test' },
        },
        groups: {
          web: { hosts: ['web1', 'web2'], vars: { level: 'web', web: true } },
          monitoring: { hosts: ['web2'], vars: { level: 'monitoring' } },
        },
        ...overrides,
      },
    },
  };
}

/** Asserts a ConfigError naming `file` and `field`, with a message matching `re`. */
async function rejectsWith(p: Promise<unknown>, file: string, field: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.equal(e.field, field);
    assert.match(e.message, re);
    assert.ok(e.message.startsWith(`${file}: ${field}: `), e.message);
    return true;
  });
}

test('a valid environment: hosts, defaults, groups, vars merged all < env < groups < host', async () => {
  const file = await ws.inventory(own());
  const inv = await loadInventory({ file });
  assert.equal(inv.env, 'own');
  assert.equal(inv.file, file);
  assert.deepEqual(inv.groups, { all: ['web1', 'web2'], web: ['web1', 'web2'], monitoring: ['web2'] });
  const [web1, web2] = inv.hosts;
  assert.deepEqual([web1.address, web1.port, web1.user, web1.privateKeyPath, web1.become], ['127.0.0.1', 2222, 'admin', join(ws.dir, 'id_test'), true]);
  assert.deepEqual([web2.port, web2.user], [22, 'root']);
  assert.deepEqual(web1.groups, ['all', 'web']);
  assert.deepEqual(web1.vars, { project: 'cn', level: 'host', web: true });
  // Later groups win: monitoring is declared after web.
  assert.equal(web2.vars.level, 'monitoring');
  assert.deepEqual(inv.vars, { project: 'cn', level: 'env' });
});

test('env from CLOUDNOVA_ENV when --env is absent; --env wins', async () => {
  const def = own();
  (def.environments as Record<string, unknown>).other = { hosts: { x: { local: true } } };
  const file = await ws.inventory(def);
  process.env.CLOUDNOVA_ENV = 'other';
  try {
    assert.equal((await loadInventory({ file })).env, 'other');
    assert.equal((await loadInventory({ file, env: 'own' })).env, 'own');
  } finally {
    delete process.env.CLOUDNOVA_ENV;
  }
});

test('unknown key names file and field, and suggests the likely key', async () => {
  const def = own();
  (def.environments.own.hosts.web1 as Record<string, unknown>).prot = 22;
  const file = await ws.inventory(def);
  await rejectsWith(loadInventory({ file }), file, 'environments.own.hosts.web1.prot', /unknown key \(did you mean 'port'\?\)/);
});

test('unknown top-level and environment keys', async () => {
  const file = await ws.inventory({ ...own(), extra: 1 });
  await rejectsWith(loadInventory({ file }), file, '(default export).extra', /unknown key/);
  const file2 = await ws.inventory(own({ host: {} }));
  await rejectsWith(loadInventory({ file: file2 }), file2, 'environments.own.host', /did you mean 'hosts'/);
});

test('bad values: port, address, user, become, vars, group members', async () => {
  const cases: Array<[(d: ReturnType<typeof own>) => void, string, RegExp]> = [
    [(d) => ((d.environments.own.hosts.web1 as Record<string, unknown>).port = 70000), 'environments.own.hosts.web1.port', /expected an integer 1-65535, got number 70000/],
    [(d) => ((d.environments.own.hosts.web1 as Record<string, unknown>).port = '22'), 'environments.own.hosts.web1.port', /expected an integer 1-65535, got "22"/],
    [(d) => delete (d.environments.own.hosts.web2 as Record<string, unknown>).address, 'environments.own.hosts.web2.address', /missing/],
    [(d) => ((d.environments.own.hosts.web1 as Record<string, unknown>).user = ''), 'environments.own.hosts.web1.user', /non-empty string/],
    [(d) => ((d.environments.own.hosts.web1 as Record<string, unknown>).become = 'yes'), 'environments.own.hosts.web1.become', /true or false/],
    [(d) => ((d.environments.own.hosts.web1 as Record<string, unknown>).vars = [1]), 'environments.own.hosts.web1.vars', /object of vars/],
    [(d) => (d.environments.own.groups.web.hosts = ['web1', 'web3']), 'environments.own.groups.web.hosts[1]', /unknown host 'web3'; hosts of this environment: web1, web2/],
    [(d) => ((d.environments.own.groups as Record<string, unknown>).all = {}), 'environments.own.groups.all', /implicit/],
    [(d) => ((d.environments.own.hosts.web1 as Record<string, unknown>).jump = { address: 'j', port: 0 }), 'environments.own.hosts.web1.jump.port', /1-65535/],
    [(d) => ((d as Record<string, unknown>).defaultEnv = 'prod'), 'defaultEnv', /'prod' is not one of the environments: own/],
  ];
  for (const [mutate, field, re] of cases) {
    const def = own();
    mutate(def);
    const file = await ws.inventory(def);
    await rejectsWith(loadInventory({ file }), file, field, re);
  }
});

test('unknown environment lists the known ones', async () => {
  const file = await ws.inventory(own());
  await rejectsWith(loadInventory({ file, env: 'prod' }), file, '--env', /unknown environment 'prod'.*environments: own/);
});

test('missing private key file', async () => {
  const def = own();
  def.environments.own.hosts.web2.privateKey = 'nope/id_missing';
  const file = await ws.inventory(def);
  await rejectsWith(loadInventory({ file }), file, 'environments.own.hosts.web2.privateKey', /private key file .*nope\/id_missing does not exist/);
});

test('private key readable by group or others is refused like ssh does', async () => {
  await ws.key('id_open', 0o644);
  const def = own();
  def.environments.own.hosts.web1.privateKey = 'id_open';
  const file = await ws.inventory(def);
  await rejectsWith(loadInventory({ file }), file, 'environments.own.hosts.web1.privateKey', /readable by group or others \(mode 0644\).*UNPROTECTED PRIVATE KEY FILE.*chmod 600/);
});

test('a key file that is not a usable private key is refused at load time, naming file and field', async () => {
  const { makeEd25519Key } = await import('../../../lib/connection/operator-key.ts');
  const { generateKeyPairSync } = await import('node:crypto');
  const encrypted = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' },
  }).privateKey;
  const cases: Array<[string, string, RegExp]> = [
    ['id_garbage', 'hello, I am not a key\n', /^not a private key \(Unsupported key format\): .*id_garbage; point privateKey at an unencrypted OpenSSH or PEM private key/],
    ['id_pub', `${makeEd25519Key('t').publicLine}\n`, /^not a private key \(.*id_pub holds a public key\)/],
    ['id_encrypted', encrypted, /^private key .*id_encrypted is encrypted with a passphrase, and runs are non-interactive/],
  ];
  for (const [name, content, re] of cases) {
    await ws.key(name, 0o600, content);
    const def = own();
    def.environments.own.hosts.web1.privateKey = name;
    const file = await ws.inventory(def);
    await assert.rejects(loadInventory({ file }), (e: unknown) => {
      assert.ok(e instanceof ConfigError && e.field === 'environments.own.hosts.web1.privateKey' && e.file === file, String(e));
      assert.match(e.message.slice(`${file}: ${e.field}: `.length), re);
      return true;
    });
    // Commands that never connect (teardown) can skip the key checks.
    assert.equal((await loadInventory({ file, checkKeys: false })).hosts.length, 2);
  }
});

test('publicNames must be DNS names or IP addresses (they go into TLS SANs and nginx server_name)', async () => {
  const good = ['app.example.com', 'localhost', '*.example.com', '192.0.2.10', '2001:db8::1', '[::1]', 'xn--bcher-kva.example'];
  const def = own();
  (def.environments.own.hosts.web1 as Record<string, unknown>).publicNames = good;
  assert.deepEqual((await loadInventory({ file: await ws.inventory(def) })).hosts[0].publicNames, good);
  for (const bad of ['ok.example.com; } server {', 'a b.example.com', '-bad.example.com', 'example..com', 'example.com.', 'under_score.example.com', '10.0.0.256', 'x'.repeat(64) + '.com', 'app.example.com/path']) {
    const d = own();
    (d.environments.own.hosts.web1 as Record<string, unknown>).publicNames = ['fine.example.com', bad];
    const file = await ws.inventory(d);
    await rejectsWith(loadInventory({ file }), file, 'environments.own.hosts.web1.publicNames[1]', /is neither a DNS name .* nor an IP address/);
  }
});

test('the default key is the state folder one', async () => {
  const def = own();
  delete (def.environments.own.hosts.web2 as Record<string, unknown>).privateKey;
  const file = await ws.inventory(def);
  await rejectsWith(loadInventory({ file, stateRoot: join(ws.dir, 'state') }), file, 'environments.own.hosts.web2.privateKey', /state\/ssh\/id_ed25519 does not exist/);
});

test('--limit matching no host lists the known hosts and groups', async () => {
  const file = await ws.inventory(own());
  await rejectsWith(loadInventory({ file, limit: ['web9'] }), file, '--limit', /'web9' matches no host or group of environment 'own'; hosts: web1, web2; groups: all, web, monitoring/);
  assert.equal((await loadInventory({ file, limit: ['web1', 'monitoring'] })).hosts.length, 2);
});

test('a missing inventory file and a module without default export', async () => {
  const missing = join(ws.dir, 'none.ts');
  await rejectsWith(loadInventory({ file: missing }), missing, '-i/--inventory', /no such file/);
  const file = join(ws.dir, 'nodefault.ts');
  await (await import('node:fs/promises')).writeFile(file, 'export const x = 1;\n');
  await rejectsWith(loadInventory({ file }), file, '(module)', /no default export/);
});

/** A provider env: the file names the hosts, the provider brings addresses. */
function lab() {
  return {
    defaultEnv: 'lab',
    vars: { tier: 'all' },
    environments: {
      lab: {
        provider: { kind: 'lab', hosts: 2, anything: { passed: 'through' } },
        vars: { tier: 'env' },
        groups: { web: { hosts: ['lab-1', 'lab-2'], vars: { tier: 'web' } }, monitoring: { hosts: ['lab-1'], vars: { mon: true } } },
        hosts: { 'lab-2': { vars: { tier: 'host' } } },
      },
    },
  };
}

function provided(name: string, groups: string[] = [], vars = {}): HostConfig {
  return { name, address: '127.0.0.1', port: 2200, user: 'cnadmin', privateKeyPath: '/k', groups, vars, become: true };
}

test('provider env: provider passed through, planned hosts, limit checked against planned names', async () => {
  const file = await ws.inventory(lab());
  const inv = await loadInventory({ file, limit: ['lab-2'] });
  assert.deepEqual(inv.provider, { kind: 'lab', hosts: 2, anything: { passed: 'through' } });
  assert.equal(inv.hosts.length, 0);
  assert.deepEqual(inv.planned, [
    { name: 'lab-1', groups: ['all', 'web', 'monitoring'], vars: { tier: 'web', mon: true } },
    { name: 'lab-2', groups: ['all', 'web'], vars: { tier: 'host' } },
  ]);
  await rejectsWith(loadInventory({ file, limit: ['lab-3'] }), file, '--limit', /hosts: lab-1, lab-2/);
});

test('provider env: hosts may only carry vars (connection settings come from the provider)', async () => {
  const def = lab();
  (def.environments.lab.hosts['lab-2'] as Record<string, unknown>).address = '1.2.3.4';
  const file = await ws.inventory(def);
  await rejectsWith(loadInventory({ file }), file, 'environments.lab.hosts.lab-2.address', /unknown key; expected one of: vars, become/);
  const def2 = lab();
  (def2.environments.lab.provider as Record<string, unknown>).kind = 3;
  const file2 = await ws.inventory(def2);
  await rejectsWith(loadInventory({ file: file2 }), file2, 'environments.lab.provider.kind', /non-empty string/);
});

test('addProvidedHosts: places hosts into declared and carried groups, re-merges vars', async () => {
  const file = await ws.inventory(lab());
  const inv = await loadInventory({ file });
  const next = addProvidedHosts(inv, [provided('lab-1', ['extra'], { fromProvider: 1, tier: 'provider' }), provided('lab-2')]);
  assert.deepEqual(next.groups, { all: ['lab-1', 'lab-2'], web: ['lab-1', 'lab-2'], monitoring: ['lab-1'], extra: ['lab-1'] });
  assert.deepEqual(next.hosts[0].groups, ['all', 'web', 'monitoring', 'extra']);
  assert.deepEqual(next.hosts[0].vars, { tier: 'provider', mon: true, fromProvider: 1 });
  assert.deepEqual(next.hosts[1].vars, { tier: 'host' });
  // Adding again replaces, never duplicates; the original inventory is untouched.
  const again = addProvidedHosts(next, [provided('lab-1', ['web'])]);
  assert.deepEqual(again.groups.all, ['lab-2', 'lab-1']);
  assert.equal(inv.hosts.length, 0);
});
