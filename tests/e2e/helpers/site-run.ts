// The site playbook as a child process against a lab of the test's own: an
// inventory file written into a temp dir, a temp state folder, and the --json
// report read back. Nothing here touches the default lab or .cloudnova/.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface TaskEntry {
  role: string;
  task: string;
  status: 'ok' | 'changed' | 'failed' | 'skipped';
  error?: string;
}

export interface HostEntry {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  error?: string;
  tasks: TaskEntry[];
}

export interface SiteReport {
  durationMs: number;
  hosts: Record<string, HostEntry>;
}

export interface SiteRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Undefined when the run wrote no report (it failed before any play). */
  report?: SiteReport;
  /** The last lines of stdout and stderr, for assertion messages. */
  tail: string;
}

/**
 * An inventory file with one provider environment (`lab` kind, named `labName`),
 * vars given as JSON. defineInventory is imported by absolute file URL, so the
 * file can live anywhere.
 */
export function writeInventory(file: string, o: { env: string; labName: string; groups: Record<string, string[]>; vars: Record<string, unknown> }): string {
  const define = pathToFileURL(join(ROOT, 'lib', 'inventory', 'define.ts')).href;
  const groups = Object.fromEntries(Object.entries(o.groups).map(([g, hosts]) => [g, { hosts }]));
  const definition = {
    defaultEnv: o.env,
    vars: {},
    environments: { [o.env]: { provider: { kind: 'lab', name: o.labName }, groups, vars: o.vars } },
  };
  writeFileSync(file, `// Written by tests/e2e/site.test.ts.\nimport { defineInventory } from ${JSON.stringify(define)};\n\nexport default defineInventory(${JSON.stringify(definition, null, 2)});\n`);
  return file;
}

function tailOf(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** `node --import tsx playbooks/site.ts -i INV --json REPORT ...args`, bounded by timeoutMs (then killed). */
export function runSite(o: { inventory: string; report: string; stateDir: string; args?: string[]; timeoutMs: number }): Promise<SiteRun> {
  const started = Date.now();
  const args = ['--import', 'tsx', 'playbooks/site.ts', '-i', o.inventory, '--json', o.report, ...(o.args ?? [])];
  writeFileSync(o.report, '');
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, CLOUDNOVA_STATE_DIR: o.stateDir, CLOUDNOVA_ENV: '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[e2e] site.ts killed after ${o.timeoutMs / 1000} s\n`;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, o.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let report: SiteReport | undefined;
      try {
        const text = readFileSync(o.report, 'utf8');
        report = text.trim() ? (JSON.parse(text) as SiteReport) : undefined;
      } catch {
        report = undefined;
      }
      const tail = `--- site.ts ${args.slice(2).join(' ')} exited ${code ?? signal}\n--- stdout (tail)\n${tailOf(stdout, 60)}\n--- stderr (tail)\n${tailOf(stderr, 30)}`;
      resolveRun({ code, signal, stdout, stderr, durationMs: Date.now() - started, report, tail });
    });
  });
}

/** "host role › task: status" lines of the tasks matching `pick`: readable assertion messages. */
export function describeTasks(report: SiteReport | undefined, pick: (t: TaskEntry) => boolean = () => true): string {
  if (!report) return '(no --json report)';
  return Object.entries(report.hosts)
    .flatMap(([host, h]) => [
      ...(h.error ? [`${host}: error: ${h.error}`] : []),
      ...h.tasks.filter(pick).map((t) => `${host} ${t.role} › ${t.task}: ${t.status}${t.error ? ` (${t.error.split('\n')[0]})` : ''}`),
    ])
    .join('\n');
}
