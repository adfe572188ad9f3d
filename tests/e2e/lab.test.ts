// The lab end to end, on a separate lab ('labtest') with its own state folder,
// so the user's lab and state are never touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from '../../lib/images/docker.ts';
import { and, sh, type Shell } from '../../lib/connection/quote.ts';
import { floatingRef } from '../../lib/images/build.ts';
import { ensureSystemDeps } from '../../lib/setup/system-deps.ts';
import { LabOwnedElsewhereError, labDown, labStatus, labUp, provideLabHosts } from '../../lib/lab/index.ts';

const LAB = 'labtest';
const ROOT = join(import.meta.dirname, '..', '..');
const stateDir = mkdtempSync(join(tmpdir(), 'cloudnova-labtest-'));
const opts = { name: LAB, stateDir, log: () => {} };
// Things that are not the lab's and must survive its `down`: a container that even
// carries a lab label (another lab's), a volume and a network with look-alike names.
const bystander = { container: `${LAB}-bystander-${process.pid}`, volume: `cloudnova-${LAB}-bystander-vol`, network: `cloudnova-${LAB}-bystander` };

function ssh(port: number, remote: readonly string[] | Shell): { code: number; out: string } {
  const r = spawnSync(
    'ssh',
    [
      '-i', join(stateDir, 'ssh', 'id_ed25519'),
      '-p', String(port),
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=accept-new',
      '-o', `UserKnownHostsFile=${join(stateDir, 'known_hosts')}`,
      '-o', 'ConnectTimeout=10',
      'admin@127.0.0.1',
      // ssh hands the remote shell one line: quoted by the project's only quoting helper.
      sh(remote).text,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

function labCli(...args: string[]): { code: number; stdout: string; stderr: string } {
  return labCliFrom(stateDir, ...args);
}

function labCliFrom(state: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['zx', 'playbooks/lab.ts', ...args, '--name', LAB], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CLOUDNOVA_STATE_DIR: state },
    timeout: 600_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const containerNames = async (): Promise<string[]> =>
  (await docker(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();

before(async () => {
  await ensureSystemDeps({ purpose: 'lab' });
  await labDown(opts); // leftovers of an interrupted run
});

after(async () => {
  await labDown(opts).catch(() => {});
  await docker(['rm', '-f', bystander.container], { check: false });
  await docker(['volume', 'rm', bystander.volume], { check: false });
  await docker(['network', 'rm', bystander.network], { check: false });
  rmSync(stateDir, { recursive: true, force: true });
});

test('up creates the hosts, a second up creates nothing, status lists the same hosts', { timeout: 900_000 }, async () => {
  const first = await labUp({ ...opts, hosts: 2 });
  assert.deepEqual(first.created, [`${LAB}-1`, `${LAB}-2`]);
  console.log(`# lab up (cold): ${first.durationMs} ms`);

  const second = labCli('up', '--hosts', '2', '--json');
  assert.equal(second.code, 0, second.stderr);
  const upJson = JSON.parse(second.stdout) as { created: string[]; existing: string[] };
  assert.deepEqual(upJson.created, []);
  assert.deepEqual(upJson.existing, [`${LAB}-1`, `${LAB}-2`]);

  const cli = labCli('status', '--json');
  assert.equal(cli.code, 0, cli.stderr);
  const status = JSON.parse(cli.stdout) as Awaited<ReturnType<typeof labStatus>>;
  assert.deepEqual(status.hosts.map((h) => [h.name, h.ssh.port, h.urls.https, h.urls.http]), first.status.hosts.map((h) => [h.name, h.ssh.port, h.urls.https, h.urls.http]));
  for (const h of status.hosts) {
    assert.equal(h.state, 'running');
    assert.equal(h.ssh.address, '127.0.0.1');
    assert.match(h.urls.https, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(h.privateAddress, /^\d+\.\d+\.\d+\.\d+$/);
  }
  assert.notEqual(status.hosts[0]!.ssh.port, 2221, 'a separate lab must not take the default lab ports');

  const file = JSON.parse(readFileSync(join(stateDir, 'lab', LAB, 'hosts.json'), 'utf8')) as typeof status;
  assert.deepEqual(file.hosts.map((h) => h.name), [`${LAB}-1`, `${LAB}-2`]);

  // Published on 127.0.0.1 only.
  const ports = (await docker(['port', `cloudnova-${LAB}-1`])).stdout;
  for (const line of ports.trim().split('\n')) assert.match(line, /-> 127\.0\.0\.1:\d+$/);
});

test('another state folder cannot take the lab over; status still works from it', async () => {
  const other = mkdtempSync(join(tmpdir(), 'cloudnova-labtest-other-'));
  const authorizedKeys = async (): Promise<string> => (await docker(['exec', `cloudnova-${LAB}-1`, 'cat', '/etc/ssh/authorized_keys/admin'])).stdout;
  try {
    const keys = await authorizedKeys();
    await assert.rejects(labUp({ name: LAB, stateDir: other, log: () => {}, hosts: 2 }), (e: unknown) => e instanceof LabOwnedElsewhereError && e.otherOwner === realpathSync(stateDir));
    const cli = labCliFrom(other, 'up', '--hosts', '2');
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stderr, /belongs to another state folder/);
    assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
    assert.equal(await authorizedKeys(), keys, 'the owner keeps its login key');
    assert.ok(!existsSync(join(other, 'ssh', 'id_ed25519')), 'nothing was created in the other state folder');

    const status = labCliFrom(other, 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`belongs to the state folder ${realpathSync(stateDir)}`));
    assert.ok(status.stdout.includes(`-o UserKnownHostsFile=${join(realpathSync(stateDir), 'ssh', 'known_hosts')}`), status.stdout);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
  const own = labCli('status');
  assert.ok(own.stdout.includes(`ssh -i ${join(stateDir, 'ssh', 'id_ed25519')} -o UserKnownHostsFile=${join(stateDir, 'ssh', 'known_hosts')} -p `), own.stdout);
});

test('the operator logs in as admin with the real ssh client and sudo needs no password', async () => {
  const [h1] = (await labStatus(opts)).hosts;
  const r = ssh(h1!.ssh.port, and(['sudo', '-n', 'true'], ['id', '-un'], ['systemctl', 'is-system-running', '--wait']));
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^admin$/m);
  assert.match(r.out, /^running$/m, 'systemd booted without failed units');
  assert.notEqual(ssh(h1!.ssh.port, ['sh', '-c', 'command -v docker']).code, 0, 'docker is not preinstalled (the docker role installs it)');
});

test('hosts reach each other by name and by lab IP', async () => {
  const [h1, h2] = (await labStatus(opts)).hosts;
  for (const target of [h2!.name, h2!.privateAddress]) {
    // bash's /dev/tcp: no extra tools needed on the host; sshd's banner proves the peer answers.
    const r = ssh(h1!.ssh.port, ['timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/${target}/22 && head -c 7 <&3`]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SSH-2.0/);
  }
});

test('the provider returns the lab hosts as HostConfig with the inventory groups', async () => {
  const [web, mon] = await provideLabHosts({ ...opts, up: false, hosts: [{ name: `${LAB}-1`, groups: ['web', 'monitoring'] }, { name: `${LAB}-2`, groups: ['web'] }] });
  const status = await labStatus(opts);
  assert.equal(web!.address, '127.0.0.1');
  assert.equal(web!.port, status.hosts[0]!.ssh.port);
  assert.equal(web!.user, 'admin');
  assert.equal(web!.privateKeyPath, join(stateDir, 'ssh', 'id_ed25519'));
  assert.equal(web!.privateAddress, status.hosts[0]!.privateAddress);
  assert.deepEqual(web!.groups, ['web', 'monitoring']);
  assert.deepEqual(mon!.groups, ['web']);
  assert.equal(web!.urls?.https, status.hosts[0]!.urls.https);
  assert.ok(web!.publicNames?.includes('127.0.0.1') && web!.publicNames.includes(`${LAB}-1`));
  assert.equal(web!.become, true);
});

test('down removes the lab containers, network and volumes and nothing else', async () => {
  await docker(['volume', 'create', bystander.volume]);
  await docker(['network', 'create', bystander.network]);
  await docker(['run', '-d', '--name', bystander.container, '--label', `io.cloudnova.lab=${LAB}-bystander`, floatingRef('base'), 'sleep', '600']);
  const before = await containerNames();
  const otherLabs = (await docker(['ps', '-a', '--filter', 'label=io.cloudnova.lab', '--format', '{{.Names}}'])).stdout.split('\n').filter((n) => n && !n.startsWith(`cloudnova-${LAB}-`));

  const cli = labCli('down', '--json');
  assert.equal(cli.code, 0, cli.stderr);
  const removed = JSON.parse(cli.stdout) as { containers: string[]; networks: string[]; volumes: string[] };
  assert.deepEqual(removed.containers.sort(), [`cloudnova-${LAB}-1`, `cloudnova-${LAB}-2`]);
  assert.deepEqual(removed.networks, [`cloudnova-${LAB}`]);
  assert.deepEqual(removed.volumes.sort(), [`cloudnova-${LAB}-1-docker`, `cloudnova-${LAB}-2-docker`]);

  // Other sessions may start or stop their own containers meanwhile: check the ones that
  // matter, every other lab's (the user's) and the bystander, not the whole machine.
  const after = await containerNames();
  for (const name of before.filter((n) => !removed.containers.includes(n) && (n === bystander.container || otherLabs.includes(n)))) {
    assert.ok(after.includes(name), `${name} survived`);
  }
  assert.ok(after.includes(bystander.container));
  assert.ok(!after.some((n) => removed.containers.includes(n)));
  assert.equal((await docker(['volume', 'inspect', bystander.volume], { check: false })).code, 0);
  assert.equal((await docker(['network', 'inspect', bystander.network], { check: false })).code, 0);
  assert.equal((await labStatus(opts)).hosts.length, 0);
  assert.ok(!existsSync(join(stateDir, 'lab', LAB, 'hosts.json')));
});
