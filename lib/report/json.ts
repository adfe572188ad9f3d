// The machine-readable run report (--json FILE): the recap's facts plus every task.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunReport } from '../core/types.ts';

export function jsonReport(report: RunReport): RunReport {
  const hosts: RunReport['hosts'] = {};
  for (const [name, h] of Object.entries(report.hosts)) {
    hosts[name] = {
      ok: h.ok,
      changed: h.changed,
      failed: h.failed,
      skipped: h.skipped,
      unreachable: h.unreachable,
      execs: h.execs,
      bytesSent: h.bytesSent,
      durationMs: h.durationMs,
      ...(h.error ? { error: h.error } : {}),
      tasks: h.tasks.map((t) => ({ role: t.role, task: t.task, status: t.status, durationMs: t.durationMs, ...(t.error ? { error: t.error } : {}) })),
    };
  }
  return { durationMs: report.durationMs, hosts };
}

export async function writeJsonReport(file: string, report: RunReport): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(jsonReport(report), null, 2) + '\n');
}
