// Lines while the run goes: one per task per host, with the plan under --check
// (and --verbose), unified diffs under --diff, a spinner on a terminal.
import type { HostReport, Plan, RunReport, TaskReport, TaskStatus } from '../core/types.ts';
import { trimOutput } from '../core/types.ts';
import { type Paint, colourWanted, formatDuration, paint } from './colour.ts';
import { formatRecap, indent } from './recap.ts';
import type { Reporter, TaskEvent } from './reporter.ts';
import { Spinner } from './spinner.ts';


const PROGRESS_EVERY_MS = 15_000;
export interface ConsoleReporterOptions {
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  check?: boolean;
  diff?: boolean;
  verbose?: boolean;
  /** Default: colour and spinner only when `out` is a TTY. */
  tty?: boolean;
}

export class ConsoleReporter implements Reporter {
  private readonly out: NonNullable<ConsoleReporterOptions['out']>;
  private readonly p: Paint;
  private readonly spinner?: Spinner;
  private hostWidth = 0;

  private readonly lastProgress = new Map<string, number>();

  constructor(private readonly opts: ConsoleReporterOptions = {}) {
    this.out = opts.out ?? process.stdout;
    const tty = opts.tty ?? colourWanted(this.out);
    this.p = paint(tty);
    this.spinner = tty ? new Spinner(this.out) : undefined;
  }

  runStart(info: { hosts: string[]; check: boolean }): void {
    this.hostWidth = Math.max(0, ...info.hosts.map((h) => h.length));
    if (info.check) this.print(this.p.cyan('check mode: nothing will change on any host; showing the plan'));
  }

  taskStart(e: TaskEvent): void {
    this.spinner?.start(e.host, `${e.role} › ${e.task}`);
  }

  taskProgress(host: string, message: string): void {
    this.spinner?.progress(host, message);
    if (this.spinner) return;
    // Without a terminal (CI logs) a long wait still shows signs of life, a line per host every 15 s.
    const now = Date.now();
    if (!this.opts.verbose && now - (this.lastProgress.get(host) ?? 0) < PROGRESS_EVERY_MS) return;
    this.lastProgress.set(host, now);
    this.print(this.p.dim(`         ${host.padEnd(this.hostWidth)}  … ${message}`));
  }

  taskEnd(e: TaskEvent & { report: TaskReport; plan?: Plan }): void {
    this.spinner?.stop(e.host);
    const { status, durationMs, error } = e.report;
    const label = this.statusLabel(status);
    const line = `${label} ${e.host.padEnd(this.hostWidth)}  ${e.role} › ${e.task} ${this.p.dim(formatDuration(durationMs))}`;
    const extra: string[] = [];
    if (status === 'changed' && e.plan && (this.opts.check || this.opts.verbose)) {
      for (const c of e.plan.changes) extra.push(this.p.yellow(`    ~ ${c.what}`));
    }
    if (status === 'changed' && e.plan?.diff && this.opts.diff) extra.push(this.colourDiff(e.plan.diff));
    if (status === 'failed' && error) extra.push(this.p.red(indent(trimOutput(error))));
    this.print([line, ...extra].join('\n'));
  }

  hostFailed(host: string, report: HostReport): void {
    if (report.unreachable) this.print(`${this.statusLabel('failed')} ${host.padEnd(this.hostWidth)}  ${this.p.red(report.error ?? 'unreachable')}`);
  }

  runEnd(report: RunReport): void {
    this.print('\n' + formatRecap(report, { colour: Boolean(this.spinner), check: this.opts.check }).trimEnd());
  }

  private statusLabel(status: TaskStatus): string {
    const text = status.padEnd(8);
    if (status === 'ok') return this.p.green(text);
    if (status === 'changed') return this.p.yellow(text);
    if (status === 'failed') return this.p.red(text);
    return this.p.cyan(text);
  }

  private colourDiff(diff: string): string {
    return diff
      .trimEnd()
      .split('\n')
      .map((l) => (l.startsWith('+') ? this.p.green(l) : l.startsWith('-') ? this.p.red(l) : l.startsWith('@@') ? this.p.cyan(l) : l))
      .join('\n');
  }

  private print(text: string): void {
    this.spinner?.clear();
    this.out.write(text + '\n');
  }
}
