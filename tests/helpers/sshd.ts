// A real OpenSSH sshd for integration tests and the bench: 127.0.0.1, a free
// port, host and client keys made per run in a temp dir. Needs root (test users,
// sudoers) and /usr/sbin/sshd + sudo (npm test installs them via lib/setup).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostConfig } from '../../lib/core/types.ts';

const SSHD = '/usr/sbin/sshd';
/** Login user with passwordless sudo. */
export const TEST_USER = 'cnadmin';
/** Same, but sudoers says `requiretty` for it. */
export const TTY_USER = 'cnrtty';

export interface TestSshd {
  /** cnadmin@127.0.0.1:port, become: true. */
  host: HostConfig;
  /** The same server, logging in as the requiretty user. */
  ttyHost: HostConfig;
  port: number;
  /** Temp dir of this server (keys, config, log). */
  dir: string;
  /** A known_hosts file private to this server's tests. */
  knownHostsFile: string;
  /** Successful logins so far, read from sshd's log. */
  acceptedLogins(): Promise<number>;
  restartWithNewHostKey(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  /** Host name in HostConfig. Default 'sshd-test'. */
  name?: string;
}

export async function startSshd(opts: StartSshdOptions = {}): Promise<TestSshd> {
  ensureTestUsers();
  const dir = await mkdtemp(join(tmpdir(), 'cloudnova-sshd-'));
  // sshd reads authorized_keys as the logged-in user: let it through the folder
  // (0711: traverse, not list) while the private keys inside stay 0600.
  await chmod(dir, 0o711);
  tempDirs.add(dir);
  await keygen(join(dir, 'host_ed25519'));
  await keygen(join(dir, 'id_ed25519'));
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'id_ed25519.pub')), { mode: 0o644 });
  // sshd refuses to start without its privilege separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const config = join(dir, 'sshd_config');
  const logFile = join(dir, 'sshd.log');
  // freePort() closes its probe before sshd binds: with many servers starting at
  // once another one can take the port, so a lost race means a new port.
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    await writeFile(config, sshdConfig(dir, port));
    try {
      child = await launch(config, logFile, port);
    } catch (e) {
      if (attempt >= 5 || !/already in use/i.test(String(e))) throw e;
    }
  }

  const base = {
    address: '127.0.0.1',
    port,
    privateKeyPath: join(dir, 'id_ed25519'),
    groups: ['all'],
    vars: {},
    become: true,
  };
  return {
    host: { ...base, name: opts.name ?? 'sshd-test', user: TEST_USER },
    ttyHost: { ...base, name: `${opts.name ?? 'sshd-test'}-tty`, user: TTY_USER },
    port,
    dir,
    knownHostsFile: join(dir, 'known_hosts'),
    async acceptedLogins() {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      return log.split('\n').filter((l) => l.includes('Accepted publickey')).length;
    },
    async restartWithNewHostKey() {
      await kill(child!);
      await rm(join(dir, 'host_ed25519'), { force: true });
      await rm(join(dir, 'host_ed25519.pub'), { force: true });
      await keygen(join(dir, 'host_ed25519'));
      child = await launch(config, logFile, port);
    },
    async stop() {
      await kill(child!);
      await rm(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

function sshdConfig(dir: string, port: number): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    // The temp dir is not root-owned 0755 all the way up as StrictModes wants.
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${TEST_USER} ${TTY_USER} root`,
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    // Tests open many connections quickly; never let sshd drop one as a flood.
    'MaxStartups 200',
    'UseDNS no',
    '',
  ].join('\n');
}

let usersReady = false;

/** Create the login users and their sudoers rules once per machine (idempotent). */
function ensureTestUsers(): void {
  if (usersReady) return;
  if (process.getuid?.() !== 0) throw new Error('tests/helpers/sshd.ts: must run as root (creates test users and sudoers rules)');
  for (const bin of [SSHD, '/usr/bin/sudo']) {
    if (!existsSync(bin)) throw new Error(`tests/helpers/sshd.ts: ${bin} is missing; install openssh-server and sudo (npm test does it)`);
  }
  for (const user of [TEST_USER, TTY_USER]) {
    try {
      execFileSync('id', ['-u', user], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', user], { stdio: 'ignore' });
    }
    // A '!' (locked) password makes sshd refuse even key logins when UsePAM is off.
    execFileSync('usermod', ['-p', '*', user], { stdio: 'ignore' });
  }
  const rules = [
    `${TEST_USER} ALL=(ALL) NOPASSWD: ALL`,
    `${TTY_USER} ALL=(ALL) NOPASSWD: ALL`,
    `Defaults:${TTY_USER} requiretty`,
    '',
  ].join('\n');
  const file = '/etc/sudoers.d/cloudnova-test';
  execFileSync('sh', ['-c', `umask 0337 && cat > ${file}.new && visudo -cqf ${file}.new && mv -f ${file}.new ${file}`], { input: rules });
  usersReady = true;
}

async function keygen(path: string): Promise<void> {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cloudnova-test', '-f', path], { stdio: 'ignore' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// A test that crashes before stop() must not leave sshd listeners behind.
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function launch(config: string, logFile: string, port: number): Promise<ChildProcess> {
  // The log is appended across restarts: only what this start writes counts.
  const offset = (await readFile(logFile).catch(() => Buffer.alloc(0))).length;
  // Own process group: stop() ends the listener and its per-connection children together.
  // -E: even startup errors go to the log, so no pipe keeps the test process alive.
  const child = spawn(SSHD, ['-D', '-f', config, '-E', logFile], { stdio: 'ignore', detached: true });
  child.unref();
  running.add(child);
  child.once('exit', () => running.delete(child));
  const deadline = Date.now() + 5000;
  const listening = `Server listening on 127.0.0.1 port ${port}.`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    // Our own log, not just the port: another server may answer on a port we lost.
    const log = (await readFile(logFile).catch(() => Buffer.alloc(0))).subarray(offset).toString();
    if (log.includes(listening) && (await answersSsh(port))) return child;
    await new Promise((r) => setTimeout(r, 20));
  }
  await kill(child);
  const log = (await readFile(logFile).catch(() => Buffer.alloc(0))).subarray(offset).toString();
  throw new Error(`sshd did not start on 127.0.0.1:${port}: ${log.split('\n').slice(-10).join('\n')}`);
}

/** True once the port sends an SSH banner. */
function answersSsh(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('data', (b: Buffer) => done(b.toString().startsWith('SSH-')));
    sock.once('error', () => done(false));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // Unref'd at launch; hold the event loop until it has really exited.
  child.ref();
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  await exited;
}
