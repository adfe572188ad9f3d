// npm run bench: a no-op rerun of a 10-module play against N real sshd hosts
// (N = 1, 5, 20 by default; `npm run bench -- 1 5` to choose). Prints wall time
// and remote execs per host. Targets (issue 2): a no-op module costs at most one
// remote exec per host, and N = 20 takes under 2x the time of N = 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool } from '../lib/connection/index.ts';
import type { HostConfig, Inventory, Play, Role, RunOptions, RunReport } from '../lib/core/types.ts';
import { command, copy, directory, file, template } from '../lib/modules/index.ts';
import { runPlaybook } from '../lib/runner/run.ts';
import { openState } from '../lib/state.ts';
import { type TestSshd, startSshd } from '../tests/helpers/sshd.ts';

const MODULES_PER_PLAY = 10;
const OPTIONS: RunOptions = { check: false, diff: false, tags: [], skipTags: [], limit: [], forks: 0, verbose: false };

/** Ten modules of the kinds a real role uses; every one is a no-op on the second run. */
function benchRole(templateFile: string): Role {
  return {
    name: 'bench',
    async run(ctx) {
      const base = `/tmp/cloudnova-bench/${ctx.host.name}`;
      await ctx.task('base folder', directory(base, { mode: '0755' }));
      await ctx.task('conf folder', directory(`${base}/conf`, { mode: '0750' }));
      await ctx.task('data folder', directory(`${base}/data`, { mode: '0700' }));
      await ctx.task('marker', file({ path: `${base}/marker`, state: 'file', mode: '0600' }));
      await ctx.task('stale file', file({ path: `${base}/stale`, state: 'absent' }));
      await ctx.task('static config', copy({ dest: `${base}/conf/static.conf`, content: 'static = true\n', mode: '0644' }));
      await ctx.task('secret', copy({ dest: `${base}/conf/secret`, content: 'not-a-real-secret\n', mode: '0600', secret: true }));
      await ctx.task('big file', copy({ dest: `${base}/data/blob`, content: Buffer.alloc(256 * 1024, 'x'), mode: '0644' }));
      await ctx.task('app config', template({ src: templateFile, dest: `${base}/conf/app.conf`, vars: { ...ctx.vars, host: ctx.host.name } }));
      await ctx.task('init', command({ argv: ['touch', `${base}/data/initialised`], creates: `${base}/data/initialised` }));
    },
  };
}

interface Measure {
  hosts: number;
  applyMs: number;
  noopMs: number;
  /** The controller's own CPU time during the no-op rerun (user + system). */
  noopCpuMs: number;
  execs: number[];
  changed: number;
  failed: number;
}

async function measure(n: number, templateFile: string, stateRoot: string): Promise<Measure> {
  // Hosts start in parallel; each sshd is its own "machine" with its own host key.
  const servers: TestSshd[] = await Promise.all(Array.from({ length: n }, (_, i) => startSshd({ name: `bench-${i + 1}` })));
  try {
    const hosts: HostConfig[] = servers.map((s) => ({ ...s.host, groups: ['all', 'bench'], vars: { port: 8080 } }));
    const inventory: Inventory = { env: 'bench', file: 'bench/run.ts', hosts, groups: { all: hosts.map((h) => h.name), bench: hosts.map((h) => h.name) }, vars: {} };
    const plays: Play[] = [{ name: 'bench', hosts: ['bench'], roles: [benchRole(templateFile)] }];
    const state = await openState(stateRoot);
    const run = async (): Promise<{ ms: number; cpuMs: number; report: RunReport }> => {
      // One pool per run, like a real run: every host's connection is opened fresh.
      const pool = new ConnectionPool({ state });
      const started = performance.now();
      const cpu = process.cpuUsage();
      const report = await runPlaybook({ plays, inventory, options: OPTIONS, state, connect: (h) => pool.get(h) });
      await pool.closeAll();
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, report };
    };
    const apply = await run();
    const noop = await run();
    const reports = Object.values(noop.report.hosts);
    const firstError = Object.values(apply.report.hosts).find((h) => h.error)?.error ?? reports.find((h) => h.error)?.error;
    if (firstError) console.error(`  a host failed: ${firstError}`);
    return {
      hosts: n,
      applyMs: apply.ms,
      noopMs: noop.ms,
      noopCpuMs: noop.cpuMs,
      execs: reports.map((h) => h.execs),
      changed: reports.reduce((s, h) => s + h.changed, 0),
      failed: reports.reduce((s, h) => s + h.failed + h.unreachable, 0),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function table(rows: Measure[]): string {
  const one = rows.find((r) => r.hosts === 1)?.noopMs;
  const lines = [`${'hosts'.padStart(5)}  ${'first run'.padStart(10)}  ${'no-op rerun'.padStart(11)}  ${'vs N=1'.padStart(6)}  ${'controller CPU'.padStart(14)}  ${'execs/host'.padStart(10)}  ${'per module'.padStart(10)}  changed  failed`];
  for (const r of rows) {
    const min = Math.min(...r.execs);
    const max = Math.max(...r.execs);
    lines.push(
      [
        String(r.hosts).padStart(5),
        `${r.applyMs.toFixed(0)} ms`.padStart(10),
        `${r.noopMs.toFixed(0)} ms`.padStart(11),
        (one ? `${(r.noopMs / one).toFixed(2)}x` : '-').padStart(6),
        `${r.noopCpuMs.toFixed(0)} ms`.padStart(14),
        (min === max ? String(min) : `${min}-${max}`).padStart(10),
        (max / MODULES_PER_PLAY).toFixed(2).padStart(10),
        String(r.changed).padStart(7),
        String(r.failed).padStart(6),
      ].join('  '),
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
  const work = await mkdtemp(join(tmpdir(), 'cloudnova-bench-'));
  try {
    const templateFile = join(work, 'app.conf.ejs');
    await writeFile(templateFile, 'listen <%= port %>;\nserver_name <%= host %>;\n');
    const rows: Measure[] = [];
    for (const n of sizes.length ? sizes : [1, 5, 20]) {
      process.stdout.write(`N=${n}: starting ${n} sshd, first run, then the no-op rerun...\n`);
      rows.push(await measure(n, templateFile, join(work, 'state')));
    }
    console.log(`\n${MODULES_PER_PLAY}-module play, no-op rerun (one SSH connection per host, hosts in parallel)\n`);
    console.log(table(rows));
    const worst = Math.max(...rows.flatMap((r) => r.execs)) / MODULES_PER_PLAY;
    const one = rows.find((r) => r.hosts === 1);
    const twenty = rows.find((r) => r.hosts === 20);
    console.log(`\nexecs per no-op module: ${worst.toFixed(2)} (target <= 1)`);
    if (one && twenty) console.log(`N=20 / N=1: ${(twenty.noopMs / one.noopMs).toFixed(2)}x (target < 2x)`);
    // Every "host" is an sshd on this machine: at large N the remote side (sshd, sudo)
    // competes with the controller for the same cores, which a real fleet does not.
    console.log(`(all hosts share this machine: ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)})`);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm('/tmp/cloudnova-bench', { recursive: true, force: true });
  }
}

await main();
