// runPlaybook: plays in order; within a play, hosts in parallel (--forks) and,
// per host, roles in order. A host that fails or cannot be reached stops; the
// others go on. Plays are barriers, as in Ansible: play 2 starts when every
// host finished play 1, so later plays can rely on earlier ones.
import type {
  Connection,
  HostConfig,
  HostReport,
  Inventory,
  Play,
  RunOptions,
  RunReport,
  StateDir,
  TaskReport,
} from '../core/types.ts';
import { UnreachableError } from '../core/types.ts';
import { LocalConnection } from '../connection/local.ts';
import { type Reporter, silentReporter } from '../report/reporter.ts';
import { RoleRun, type RunShared, TaskFailedError } from './context.ts';
import { forEachLimit } from './pool.ts';
import { ALWAYS, selectWork } from './select.ts';

export interface RunPlaybookInput {
  plays: Play[];
  inventory: Inventory;
  options: RunOptions;
  /** Opens the host's one connection of the run. */
  connect: (host: HostConfig) => Promise<Connection>;
  state: StateDir;
  reporter?: Reporter;
  /** The controller's connection for ctx.controller; default a local connection. */
  controller?: Connection;
}

interface HostRun {
  host: HostConfig;
  report: HostReport;
  conn?: Promise<Connection>;
  startedAt?: number;
  stopped: boolean;
}

export function emptyHostReport(): HostReport {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, execs: 0, bytesSent: 0, durationMs: 0, tasks: [] };
}

/** Throws ConfigError (bad tag, limit) before any connection; otherwise never throws. */
export async function runPlaybook(input: RunPlaybookInput): Promise<RunReport> {
  const started = performance.now();
  const work = selectWork(input.plays, input.inventory, input.options);
  const reporter = input.reporter ?? silentReporter;
  const shared: RunShared = {
    inventory: input.inventory,
    options: input.options,
    state: input.state,
    controller: input.controller ?? new LocalConnection({ hostName: 'controller' }),
    reporter,
    onceMemo: new Map(),
  };

  const runs = new Map<string, HostRun>();
  for (const roles of work) for (const { hosts } of roles) for (const host of hosts) {
    if (!runs.has(host.name)) runs.set(host.name, { host, report: emptyHostReport(), stopped: false });
  }
  reporter.runStart({ hosts: [...runs.keys()], check: input.options.check });

  for (const roles of work) {
    const hostsOfPlay = [...new Set(roles.flatMap((r) => r.hosts.map((h) => h.name)))].map((n) => runs.get(n)!);
    await forEachLimit(hostsOfPlay, input.options.forks, async (run) => {
      if (run.stopped) return;
      run.startedAt ??= performance.now();
      const playStart = performance.now();
      try {
        run.conn ??= input.connect(run.host);
        const conn = await run.conn.catch((e: unknown) => {
          throw e instanceof UnreachableError ? e : new UnreachableError(run.host.name, e instanceof Error ? e.message : String(e));
        });
        for (const { role, hosts } of roles) {
          if (!hosts.some((h) => h.name === run.host.name)) continue;
          const ctx = new RoleRun(role.name, role.tags?.includes(ALWAYS) ? [ALWAYS] : [], run.host, conn, shared, (t) => run.report.tasks.push(t));
          try {
            await role.run(ctx);
            await ctx.runHandlers();
          } catch (e) {
            if (e instanceof TaskFailedError || e instanceof UnreachableError) throw e;
            // The role's own code threw between tasks: still a failure of this role on this host.
            run.report.tasks.push({ role: role.name, task: '(role code)', status: 'failed', durationMs: 0, error: errorText(e) });
            throw new TaskFailedError(role.name, '(role code)', e);
          }
        }
      } catch (e) {
        run.stopped = true;
        markStopped(run.report, e);
        reporter.hostFailed(run.host.name, run.report);
      } finally {
        run.report.durationMs += Math.round(performance.now() - playStart);
      }
    });
  }

  await Promise.allSettled([...runs.values()].map(async (run) => {
    const conn = await run.conn?.catch(() => undefined);
    if (!conn) return;
    run.report.execs = conn.stats.execs;
    run.report.bytesSent = conn.stats.bytesSent;
    await conn.close();
  }));

  const report: RunReport = { durationMs: Math.round(performance.now() - started), hosts: {} };
  for (const [name, run] of runs) report.hosts[name] = countTasks(run.report);
  reporter.runEnd(report);
  return report;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function markStopped(report: HostReport, e: unknown): void {
  report.error = errorText(e);
  if (e instanceof UnreachableError) report.unreachable = 1;
}

export function countTasks(report: HostReport): HostReport {
  const count = (s: TaskReport['status']) => report.tasks.filter((t) => t.status === s).length;
  // A host stopped by an error outside any task (a handler, the connection) still counts as failed.
  const failed = Math.max(count('failed'), report.error && !report.unreachable ? 1 : 0);
  return { ...report, ok: count('ok'), changed: count('changed'), failed, skipped: count('skipped') };
}

/** 0 only when no host failed or was unreachable. */
export function exitCodeFor(report: RunReport): number {
  return Object.values(report.hosts).some((h) => h.failed > 0 || h.unreachable > 0 || h.error !== undefined) ? 1 : 0;
}
