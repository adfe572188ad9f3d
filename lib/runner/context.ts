// RoleContext for one role on one host: tasks, steps, handlers, once().
import type {
  Connection,
  HostConfig,
  Inventory,
  Module,
  Plan,
  RoleContext,
  RunOptions,
  StateDir,
  TaskOptions,
  TaskReport,
  TaskResult,
  TaskStatus,
  Vars,
} from '../core/types.ts';
import { UnreachableError } from '../core/types.ts';
import type { Reporter } from '../report/reporter.ts';
import { taskSelected } from './select.ts';

/** A task failed; the role stops here. Carries the task for the host's error line. */
export class TaskFailedError extends Error {
  constructor(
    readonly role: string,
    readonly task: string,
    readonly reason: unknown,
  ) {
    super(`${role} / ${task}: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.name = 'TaskFailedError';
  }
}

/** Shared by every RoleContext of a run. */
export interface RunShared {
  inventory: Inventory;
  options: RunOptions;
  state: StateDir;
  controller: Connection;
  reporter: Reporter;
  onceMemo: Map<string, Promise<unknown>>;
}

export class RoleRun implements RoleContext {
  readonly vars: Vars;
  readonly inventory: Inventory;
  readonly options: RunOptions;
  readonly state: StateDir;
  readonly controller: Connection;
  private readonly handlers = new Map<string, () => Promise<void>>();
  private readonly notified = new Set<string>();

  constructor(
    readonly roleName: string,
    /** Tags every task of the role carries ('always' for verification). */
    private readonly roleTags: string[],
    readonly host: HostConfig,
    readonly conn: Connection,
    private readonly shared: RunShared,
    /** Where finished tasks are recorded (the host's report). */
    private readonly record: (t: TaskReport) => void,
  ) {
    this.vars = host.vars;
    this.inventory = shared.inventory;
    this.options = shared.options;
    this.state = shared.state;
    this.controller = shared.controller;
  }

  task<F>(name: string, module: Module<F>, opts: TaskOptions = {}): Promise<TaskResult> {
    return this.timed(name, opts, async () => {
      const facts = await module.gather(this.conn);
      const plan = module.plan(facts);
      if (plan.changes.length === 0) return { status: 'ok', plan };
      if (!this.options.check) await module.apply(this.conn, plan, facts);
      return { status: 'changed', plan };
    });
  }

  step(name: string, fn: () => Promise<'ok' | 'changed' | void>, opts: TaskOptions & { safeInCheck?: boolean } = {}): Promise<TaskResult> {
    if (this.options.check && !opts.safeInCheck) return this.timed(name, opts, async () => ({ status: 'skipped' }));
    return this.timed(name, opts, async () => ({ status: (await fn()) === 'changed' ? 'changed' : 'ok' }));
  }

  handler(name: string, fn: () => Promise<void>): void {
    this.handlers.set(name, fn);
  }

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.shared.onceMemo.get(key) as Promise<T> | undefined;
    if (!p) {
      // Through a promise so a synchronous throw is memoised like a rejection.
      p = Promise.resolve().then(fn);
      this.shared.onceMemo.set(key, p);
    }
    return p;
  }

  log(message: string): void {
    this.shared.reporter.taskProgress(this.host.name, message);
  }

  /** After the role's run(): notified handlers, once each, in declaration order. */
  async runHandlers(): Promise<void> {
    const unknown = [...this.notified].filter((n) => !this.handlers.has(n));
    if (unknown.length) {
      const known = [...this.handlers.keys()].join(', ') || 'none';
      throw new TaskFailedError(this.roleName, 'handlers', new Error(`notify ${unknown.map((n) => `'${n}'`).join(', ')}: no such handler (declared: ${known})`));
    }
    for (const [name, fn] of this.handlers) {
      if (!this.notified.has(name)) continue;
      // Handlers restart things; under --check they are shown, never run.
      // Not filtered by tags: it was notified by a task that was selected.
      await this.timed(`handler: ${name}`, { always: true }, async () => {
        if (this.options.check) return { status: 'skipped' };
        await fn();
        return { status: 'changed' };
      });
    }
  }

  private async timed(
    name: string,
    opts: TaskOptions & { always?: boolean },
    work: () => Promise<{ status: TaskStatus; plan?: Plan }>,
  ): Promise<TaskResult> {
    if (!opts.always && !taskSelected(this.roleName, [...this.roleTags, ...(opts.tags ?? [])], this.options)) return skippedResult;
    const event = { host: this.host.name, role: this.roleName, task: name };
    const reporter = this.shared.reporter;
    const started = performance.now();
    reporter.taskStart(event);
    try {
      const { status, plan } = await work();
      const report: TaskReport = { role: this.roleName, task: name, status, durationMs: Math.round(performance.now() - started) };
      this.record(report);
      reporter.taskEnd({ ...event, report, plan });
      if (status === 'changed') for (const n of [opts.notify ?? []].flat()) this.notified.add(n);
      return { status, changed: status === 'changed', plan };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const report: TaskReport = { role: this.roleName, task: name, status: 'failed', durationMs: Math.round(performance.now() - started), error };
      // A lost connection is the host's state, not the task's: counted as unreachable, not failed.
      if (!(e instanceof UnreachableError)) this.record(report);
      reporter.taskEnd({ ...event, report });
      if (e instanceof UnreachableError || e instanceof TaskFailedError) throw e;
      throw new TaskFailedError(this.roleName, name, e);
    }
  }
}

const skippedResult: TaskResult = { status: 'skipped', changed: false };
