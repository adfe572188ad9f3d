// Debian packages present. The cache is refreshed only when something must be
// installed and the lists are older than cacheValidSeconds, so a no-op rerun is
// one dpkg-query. Fresh cloud hosts often run unattended-upgrades at boot:
// apt's own lock timeout waits for it instead of failing on the dpkg lock.
import type { Module, Plan } from '../core/types.ts';
import { Shell, and, quote } from '../connection/quote.ts';
import { batch, parseSections, section } from './probe.ts';

export interface AptSpec {
  packages: string[];
  /** Refresh the package lists before installing when older than this. Default 3600. */
  cacheValidSeconds?: number;
  /** How long to wait for another apt/dpkg to finish. Default 600. */
  lockTimeoutSeconds?: number;
}

export interface AptFacts {
  installed: string[];
  /** Seconds since the package lists were last updated (Infinity when never). */
  cacheAgeSeconds: number;
}

const LISTS = '/var/lib/apt/lists';
const TEN_YEARS = 10 * 365 * 24 * 3600;

export function gatherAptLine(packages: string[]): Shell {
  // db:Status-Status is 'installed' only for fully installed packages (not 'config-files').
  const query = `dpkg-query -W -f='\${Package} \${db:Status-Status}\\n' ${packages.map(quote).join(' ')}`;
  return batch(
    section('installed', new Shell(query)),
    section('age', new Shell(`echo $(( $(date +%s) - $(stat -c %Y ${LISTS}/partial 2>/dev/null || echo 0) ))`)),
  );
}

export function parseAptFacts(stdout: string): AptFacts {
  const s = parseSections(stdout);
  const installed = (s.installed ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, status]) => status === 'installed')
    .map(([name]) => name.replace(/:.*$/, ''));
  const age = Number(s.age);
    // A missing lists folder gives an mtime of 0, i.e. an age of decades: never updated.
  return { installed, cacheAgeSeconds: Number.isFinite(age) && age < TEN_YEARS ? age : Infinity };
}

export function planApt(spec: AptSpec, facts: AptFacts): Plan {
  const missing = spec.packages.filter((p) => !facts.installed.includes(p.replace(/[=:].*$/, '')));
  if (missing.length === 0) return { changes: [] };
  const changes = missing.map((p) => ({ what: `install ${p}` }));
  if (facts.cacheAgeSeconds > (spec.cacheValidSeconds ?? 3600)) changes.unshift({ what: 'update package lists' });
  return { changes };
}

export function aptApplyLine(spec: AptSpec, plan: Plan): Shell {
  const lock = ['-o', `DPkg::Lock::Timeout=${spec.lockTimeoutSeconds ?? 600}`];
  const missing = plan.changes.filter((c) => c.what.startsWith('install ')).map((c) => c.what.slice('install '.length));
  const steps: string[][] = [];
  if (plan.changes.some((c) => c.what === 'update package lists')) steps.push(['apt-get', ...lock, '-q', 'update']);
  steps.push(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...lock, '-q', '-y', '--no-install-recommends', 'install', ...missing]);
  return and(...steps);
}

export function apt(spec: AptSpec): Module<AptFacts> {
  return {
    kind: 'apt',
    subject: spec.packages.join(' '),
    async gather(conn) {
      return parseAptFacts((await conn.exec(gatherAptLine(spec.packages), { sudo: true })).stdout);
    },
    plan: (facts) => planApt(spec, facts),
    async apply(conn, plan) {
      await conn.exec(aptApplyLine(spec, plan), { sudo: true, timeoutMs: 30 * 60_000 });
    },
  };
}
