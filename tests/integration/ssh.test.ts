// The SSH connection against a real OpenSSH sshd on 127.0.0.1 (tests/helpers/sshd.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ConnectionPool, HostKeyChangedError, connect, connectSsh } from '../../lib/connection/index.ts';
import { and } from '../../lib/connection/quote.ts';
import { RemoteCommandError, UnreachableError } from '../../lib/core/types.ts';
import { type TestSshd, startSshd } from '../helpers/sshd.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

let sshd: TestSshd;
const DIR = `/opt/cloudnova-ssh-test-${process.pid}`;

before(async () => {
  sshd = await startSshd({ name: 'web1' });
});
after(async () => {
  const c = await connectSsh(sshd.host, { knownHostsFile: sshd.knownHostsFile, checkHostKey: false });
  await c.exec(['rm', '-rf', DIR], { sudo: true });
  // The cut transfer leaves its partial upload in the login user's home.
  await c.exec(['sh', '-c', 'rm -f ~/.cloudnova-upload-*']);
  await c.close();
  await sshd.stop();
});

const opts = () => ({ knownHostsFile: sshd.knownHostsFile });

test('exec: stdout, exit codes, stderr trimmed in RemoteCommandError', async () => {
  const c = await connectSsh(sshd.host, opts());
  try {
    assert.equal((await c.exec(['echo', "it's $HOME"])).stdout, "it's $HOME\n");
    assert.equal((await c.exec(['id', '-un'])).stdout.trim(), 'cnadmin');
    const r = await c.exec(['sh', '-c', 'exit 7'], { check: false });
    assert.equal(r.code, 7);
    await assert.rejects(c.exec(['sh', '-c', 'for i in $(seq 1 40); do echo line$i >&2; done; exit 3']), (e: unknown) => {
      assert.ok(e instanceof RemoteCommandError);
      assert.equal(e.host, 'web1');
      assert.equal(e.code, 3);
      assert.match(e.message, /^web1: command failed \(exit 3\)/);
      assert.match(e.message, /line40/);
      assert.doesNotMatch(e.message, /line1\n/);
      return true;
    });
    const t = await c.exec(['sleep', '5'], { timeoutMs: 200, check: false });
    assert.equal(t.code, 124);
    assert.match(t.stderr, /timed out/);
  } finally {
    await c.close();
  }
});

test('sudo: become via sudo -n; without sudo a root-owned path is refused', async () => {
  const c = await connectSsh(sshd.host, opts());
  try {
    assert.equal((await c.exec(['id', '-u'], { sudo: true })).stdout.trim(), '0');
    // The whole line runs as root, not only its first word.
    assert.equal((await c.exec(and(['mkdir', '-p', DIR], ['id', '-u']), { sudo: true })).stdout.trim(), '0');
    await assert.rejects(c.exec(['touch', `${DIR}/x`]), /Permission denied/);
  } finally {
    await c.close();
  }
});

test('sudo on a host with requiretty: retried once with a pty, then remembered', async () => {
  const c = await connectSsh(sshd.ttyHost, opts());
  try {
    assert.equal((await c.exec(['id', '-u'], { sudo: true })).stdout.trim(), '0');
    assert.equal(c.stats.execs, 2);
    assert.equal((await c.exec(['whoami'], { sudo: true })).stdout.trim(), 'root');
    assert.equal(c.stats.execs, 3);
    // Under a pty stderr arrives in stdout: the error still shows it.
    await assert.rejects(c.exec(['sh', '-c', 'echo tty-oops >&2; exit 2'], { sudo: true }), /exit 2[\s\S]*tty-oops/);
    await c.writeFile(`/tmp/cn-tty-${process.pid}`, 'via pty\n', { sudo: true, mode: '0600' });
    assert.equal((await c.exec(['cat', `/tmp/cn-tty-${process.pid}`], { sudo: true })).stdout.trim(), 'via pty');
    await c.exec(['rm', '-f', `/tmp/cn-tty-${process.pid}`], { sudo: true });
    // Binary stdin survives: it is staged in a file, never typed into the pty.
    const data = randomBytes(512 * 1024);
    const sum = createHash('sha256').update(data).digest('hex');
    assert.equal((await c.exec(['sha256sum'], { sudo: true, stdin: data })).stdout.split(' ')[0], sum);
    assert.equal((await c.exec(['sha256sum'], { sudo: true, stdin: Readable.from([data]) })).stdout.split(' ')[0], sum);
    assert.equal((await c.exec(['sh', '-c', 'ls -A ~ | grep -c cloudnova-stdin || true'])).stdout.trim(), '0');
    // A stream as the very first sudo input: requiretty is probed before it is read.
    const fresh = await connectSsh(sshd.ttyHost, opts());
    assert.equal((await fresh.exec(['sha256sum'], { sudo: true, stdin: Readable.from([data]) })).stdout.split(' ')[0], sum);
    await fresh.close();
  } finally {
    await c.close();
  }
});

test('writeFile: mode, owner, group with sudo; validate failure keeps the old file', async () => {
  const c = await connectSsh(sshd.host, opts());
  try {
    await c.exec(['mkdir', '-p', DIR], { sudo: true });
    const dest = `${DIR}/app.conf`;
    const uploadsBefore = (await c.exec(['sh', '-c', 'ls -A ~ | grep -c cloudnova-upload || true'])).stdout.trim();
    await c.writeFile(dest, 'listen 80;\n', { sudo: true, mode: '0640', owner: 'root', group: 'cnadmin' });
    assert.equal((await c.exec(['stat', '-c', '%a %U %G', dest], { sudo: true })).stdout.trim(), '640 root cnadmin');
    assert.equal((await c.exec(['cat', dest])).stdout, 'listen 80;\n');
    await assert.rejects(
      c.writeFile(dest, 'broken\n', { sudo: true, validate: (tmp) => ['grep', '-q', 'listen', tmp] }),
      RemoteCommandError,
    );
    assert.equal((await c.exec(['cat', dest])).stdout, 'listen 80;\n');
    // Neither the temp next to dest nor the upload in the home folder is left behind.
    assert.equal((await c.exec(['ls', '-A', DIR], { sudo: true })).stdout.trim(), 'app.conf');
    assert.equal((await c.exec(['sh', '-c', 'ls -A ~ | grep -c cloudnova-upload || true'])).stdout.trim(), uploadsBefore);
    assert.equal(c.stats.bytesSent, 'listen 80;\n'.length + 'broken\n'.length);
  } finally {
    await c.close();
  }
});

test('stdin: a few MB streamed from a Readable, and a Buffer', async () => {
  const c = await connectSsh(sshd.host, opts());
  try {
    const data = randomBytes(6 * 1024 * 1024);
    const chunks = Array.from({ length: 6 }, (_, i) => data.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    const r = await c.exec(['sha256sum'], { stdin: Readable.from(chunks) });
    assert.equal(r.stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'));
    assert.equal((await c.exec(['wc', '-c'], { stdin: data.subarray(0, 1000) })).stdout.trim(), '1000');
    assert.equal(c.stats.bytesSent, data.length + 1000);
  } finally {
    await c.close();
  }
});

test('one connection per host, reused by every exec and transfer; channels queued past the cap', async () => {
  const before = await sshd.acceptedLogins();
  const pool = new ConnectionPool(opts());
  const [a, b] = await Promise.all([pool.get(sshd.host), pool.get(sshd.host)]);
  assert.equal(a, b);
  const results = await Promise.all([
    ...Array.from({ length: 30 }, (_, i) => a.exec(['sh', '-c', `sleep 0.05; echo ${i}`])),
    ...Array.from({ length: 5 }, (_, i) => a.writeFile(`/tmp/cn-pool-${process.pid}-${i}`, `file ${i}\n`).then(() => ({ stdout: 'file' }))),
  ]);
  assert.equal(results.filter((r) => r.stdout !== 'file').map((r) => r.stdout.trim()).join(','), Array.from({ length: 30 }, (_, i) => i).join(','));
  await a.exec(['sh', '-c', `rm -f /tmp/cn-pool-${process.pid}-*`]);
  assert.equal((await pool.stats())[sshd.host.name].execs, 36);
  await pool.closeAll();
  assert.equal((await sshd.acceptedLogins()) - before, 1);
});

test('jump host: target reached through forwardOut on the jump connection', async () => {
  const before = await sshd.acceptedLogins();
  const host = { ...sshd.host, name: 'behind-jump', jump: { address: '127.0.0.1', port: sshd.port, user: 'cnadmin', privateKeyPath: sshd.host.privateKeyPath } };
  const c = await connect(host, opts());
  try {
    assert.equal((await c.exec(['echo', 'through'])).stdout, 'through\n');
  } finally {
    await c.close();
  }
  assert.equal((await sshd.acceptedLogins()) - before, 2);
});

test('an unreachable port gives UnreachableError quickly', async () => {
  const proxy = await startTcpProxy(1); // nothing listens on port 1: every relay is refused
  const port = proxy.port;
  await proxy.close();
  const started = Date.now();
  await assert.rejects(connectSsh({ ...sshd.host, name: 'down', port }, { ...opts(), retries: 2, retryDelayMs: 50 }), (e: unknown) => {
    assert.ok(e instanceof UnreachableError);
    assert.match(e.message, /^down: unreachable: cnadmin@127\.0\.0\.1:\d+: ECONNREFUSED.*after 3 attempts/);
    return true;
  });
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});

test('a wrong key is not retried and says so', async () => {
  const started = Date.now();
  const other = { ...sshd.host, privateKeyPath: `${sshd.dir}/host_ed25519` };
  await assert.rejects(connectSsh(other, opts()), /authentication failed/);
  assert.ok(Date.now() - started < 2000);
});

test('a transfer cut mid-way leaves the old file intact', async () => {
  const dest = `${DIR}/big.bin`;
  const setup = await connectSsh(sshd.host, opts());
  await setup.exec(['mkdir', '-p', DIR], { sudo: true });
  await setup.writeFile(dest, 'old content\n', { sudo: true });

  const proxy = await startTcpProxy(sshd.port);
  // Same host key as sshd, and known_hosts is keyed by port: this name is a new contact.
  const c = await connectSsh({ ...sshd.host, port: proxy.port }, { ...opts(), retries: 0 });
  proxy.onBytesUp(4 * 1024 * 1024, () => proxy.cutAll());
  await assert.rejects(c.writeFile(dest, randomBytes(32 * 1024 * 1024), { sudo: true }), UnreachableError);
  await proxy.close();

  assert.equal((await setup.exec(['cat', dest])).stdout, 'old content\n');
  assert.equal((await setup.exec(['ls', '-A', DIR], { sudo: true })).stdout.includes('.big.bin.cloudnova-'), false);
  await setup.close();
});

test('host key: first contact recorded; a changed key is refused with the fix', async () => {
  const c = await connectSsh(sshd.host, opts());
  await c.close();
  const known = await readFile(sshd.knownHostsFile, 'utf8');
  assert.match(known, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 AAAA`, 'm'));

  await sshd.restartWithNewHostKey();
  await assert.rejects(connectSsh(sshd.host, opts()), (e: unknown) => {
    assert.ok(e instanceof HostKeyChangedError);
    assert.ok(e instanceof UnreachableError);
    assert.match(e.message, new RegExp(`^web1: unreachable: the host key of \\[127\\.0\\.0\\.1\\]:${sshd.port} has changed`));
    assert.match(e.message, /ssh-keygen -f '.*known_hosts' -R '\[127\.0\.0\.1\]:\d+'/);
    return true;
  });
  // The file is unchanged: a refused key is never recorded.
  assert.equal(await readFile(sshd.knownHostsFile, 'utf8'), known);
});
