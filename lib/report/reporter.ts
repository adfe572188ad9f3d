// What the runner tells the outside world while it runs. The console reporter
// prints lines and a spinner; tests record events; the JSON report is built
// from the RunReport at the end.
import type { HostReport, Plan, RunReport, TaskReport } from '../core/types.ts';

export interface TaskEvent {
  host: string;
  role: string;
  task: string;
}

export interface Reporter {
  runStart(info: { hosts: string[]; check: boolean }): void;
  taskStart(event: TaskEvent): void;
  /** Progress text from ctx.log() for the host's current task. */
  taskProgress(host: string, message: string): void;
  taskEnd(event: TaskEvent & { report: TaskReport; plan?: Plan }): void;
  /** The host stopped: unreachable, or a task failed. */
  hostFailed(host: string, report: HostReport): void;
  runEnd(report: RunReport): void;
}

export const silentReporter: Reporter = {
  runStart() {},
  taskStart() {},
  taskProgress() {},
  taskEnd() {},
  hostFailed() {},
  runEnd() {},
};
