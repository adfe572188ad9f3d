// System dependencies of the controller. The lab and the test suites need a
// Docker engine, OpenSSH, debootstrap, nginx (nginx -t) and promtool. On
// Debian/Ubuntu as root the missing ones are installed; anywhere else we stop
// with one line that names what to install.
import { accessSync, constants, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { run } from '../images/docker.ts';

export type DepsPurpose = 'lab' | 'tests';

interface Requirement {
  /** The program looked up on PATH (or an absolute path). */
  program: string;
  /** The Debian package that provides it. */
  apt: string;
  purposes: DepsPurpose[];
}

const REQUIREMENTS: Requirement[] = [
  { program: 'docker', apt: 'docker.io', purposes: ['lab', 'tests'] },
  { program: 'dockerd', apt: 'docker.io', purposes: ['lab', 'tests'] },
  { program: 'ssh', apt: 'openssh-client', purposes: ['lab', 'tests'] },
  { program: 'ssh-keygen', apt: 'openssh-client', purposes: ['lab', 'tests'] },
  { program: 'sshd', apt: 'openssh-server', purposes: ['tests'] },
  { program: 'debootstrap', apt: 'debootstrap', purposes: ['lab', 'tests'] },
  { program: 'nginx', apt: 'nginx', purposes: ['lab', 'tests'] },
  { program: 'promtool', apt: 'prometheus', purposes: ['lab', 'tests'] },
  // The sshd integration tests log in as a user with sudo; the role tests run the real tools.
  { program: 'sudo', apt: 'sudo', purposes: ['tests'] },
  { program: 'amtool', apt: 'prometheus-alertmanager', purposes: ['tests'] },
  { program: 'prometheus-node-exporter', apt: 'prometheus-node-exporter', purposes: ['tests'] },
  { program: 'openssl', apt: 'openssl', purposes: ['tests'] },
];

// sbin folders are often missing from a non-root PATH, yet sshd and dockerd live there.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function findProgram(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const p = join(dir, program);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Debian packages whose programs are missing, for the given purpose. */
export function missingPackages(purpose: DepsPurpose, find = findProgram): string[] {
  const pkgs = REQUIREMENTS.filter((r) => r.purposes.includes(purpose) && !find(r.program)).map((r) => r.apt);
  return [...new Set(pkgs)];
}

function isDebianLike(): boolean {
  try {
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease);
  } catch {
    return false;
  }
}

const canInstall = (): boolean => process.platform === 'linux' && process.getuid?.() === 0 && isDebianLike() && !!findProgram('apt-get');

async function dockerAnswers(): Promise<boolean> {
  if (!findProgram('docker')) return false;
  const r = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { check: false, timeoutMs: 15_000 });
  return r.code === 0 && r.stdout.trim() !== '';
}

// policy-rc.d exit 101 = "action forbidden": apt must not start nginx on :80, sshd on :22 or a
// second Prometheus on the controller. We only want their programs; dockerd we start ourselves.
const POLICY_RC = '/usr/sbin/policy-rc.d';

async function aptInstall(packages: string[], log: (m: string) => void): Promise<void> {
  log(`installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ownPolicy = !existsSync(POLICY_RC);
  if (ownPolicy) writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await runWithEnv('apt-get', ['update', '-q'], env);
    await runWithEnv('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], env);
    // Debian 13 split the client out of docker.io (bookworm and Ubuntu ship both in it).
    if (!findProgram('docker') && (await run('apt-cache', ['show', 'docker-cli'], { check: false })).code === 0) {
      await runWithEnv('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'docker-cli'], env);
    }
  } finally {
    if (ownPolicy) unlinkSync(POLICY_RC);
  }
}

function runWithEnv(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} ${args.join(' ')} failed (exit ${code}):\n${out.split('\n').slice(-15).join('\n')}`)),
    );
  });
}

/** Start dockerd (systemd unit when systemd runs, else a detached daemon) and wait for it. */
async function startDockerd(log: (m: string) => void): Promise<void> {
  if (existsSync('/run/systemd/system') && findProgram('systemctl')) {
    log('starting docker with systemctl');
    await run('systemctl', ['start', 'docker'], { check: false, timeoutMs: 60_000 });
  }
  if (!(await dockerAnswers())) {
    const dockerd = findProgram('dockerd');
    if (!dockerd) throw new Error('dockerd is not installed: apt-get install docker.io');
    const logFile = '/var/log/cloudnova-dockerd.log';
    mkdirSync('/var/log', { recursive: true });
    log(`starting dockerd in the background (log: ${logFile})`);
    const fd = openSync(logFile, 'a');
    // Detached and unref'd: the daemon must outlive this process (tests, the next lab command).
    const child = spawn(dockerd, [], { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await dockerAnswers()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('dockerd did not answer `docker info` within 60 s: see /var/log/cloudnova-dockerd.log');
}

export interface EnsureSystemDepsOptions {
  purpose: DepsPurpose;
  /** Progress lines (default: stderr); nothing is printed when everything is present. */
  log?: (message: string) => void;
}

/**
 * Make sure the controller has what the lab or the tests need. Fast path (all
 * present, dockerd answering): no apt, one `docker info`.
 */
export async function ensureSystemDeps(opts: EnsureSystemDepsOptions): Promise<void> {
  const log = opts.log ?? ((m: string) => console.error(`setup: ${m}`));
  const missing = missingPackages(opts.purpose);
  const dockerUp = missing.includes('docker.io') ? false : await dockerAnswers();
  if (missing.length === 0 && dockerUp) return;

  if (!canInstall()) {
    const what = missing.length ? `install ${missing.join(' ')}` : '';
    const start = dockerUp ? '' : 'start the Docker daemon (dockerd)';
    throw new Error(`missing system dependencies: ${[what, start].filter(Boolean).join(' and ')}, then rerun (auto-install only on Debian/Ubuntu as root)`);
  }
  if (missing.length) await aptInstall(missing, log);
  const still = missingPackages(opts.purpose);
  if (still.length) throw new Error(`apt-get installed but programs are still missing: ${still.join(' ')}`);
  if (!(await dockerAnswers())) await startDockerd(log);
}
