// The recap: one row per host, then why each failed host failed, then one
// line that says whether anything changed.
import type { RunReport } from '../core/types.ts';
import { trimOutput } from '../core/types.ts';
import { type Paint, formatDuration, paint } from './colour.ts';

const COLUMNS = ['ok', 'changed', 'failed', 'skipped', 'unreachable', 'time'] as const;

export function formatRecap(report: RunReport, opts: { colour?: boolean; check?: boolean } = {}): string {
  const p = paint(opts.colour ?? false);
  const names = Object.keys(report.hosts);
  // A provider env before its hosts exist, or plays over empty groups: say so rather than print an empty table.
  if (names.length === 0) return `${p.yellow('no hosts matched the plays: nothing ran')}\n`;
  const nameWidth = Math.max(4, ...names.map((n) => n.length));
  const header = ['host'.padEnd(nameWidth), ...COLUMNS.map((c) => c.padStart(Math.max(c.length, 6)))].join('  ');
  const rows = names.map((name) => {
    const h = report.hosts[name];
    const cells = [h.ok, h.changed, h.failed, h.skipped, h.unreachable].map(String);
    cells.push(formatDuration(h.durationMs));
    const bad = h.failed > 0 || h.unreachable > 0;
    const padded = cells.map((c, i) => c.padStart(Math.max(COLUMNS[i].length, 6)));
    const line = [name.padEnd(nameWidth), ...padded].join('  ');
    return bad ? p.red(line) : h.changed > 0 ? p.yellow(line) : p.green(line);
  });
  const out = [p.bold('RECAP'), p.dim(header), ...rows];

  const failures = names.filter((n) => report.hosts[n].error);
  if (failures.length) {
    out.push('', p.bold('FAILED'));
    for (const name of failures) {
      const h = report.hosts[name];
      out.push(p.red(`${name}: ${h.unreachable ? 'unreachable' : 'failed'}`));
      out.push(indent(trimOutput(h.error ?? '')));
    }
  }
  out.push('', finalLine(report, p, opts.check ?? false));
  return out.join('\n') + '\n';
}

function finalLine(report: RunReport, p: Paint, check: boolean): string {
  const hosts = Object.values(report.hosts);
  const changed = hosts.reduce((n, h) => n + h.changed, 0);
  const changedHosts = hosts.filter((h) => h.changed > 0).length;
  const failed = hosts.filter((h) => h.failed > 0 || h.unreachable > 0).length;
  const time = formatDuration(report.durationMs);
  const parts: string[] = [];
  if (changed === 0) parts.push(p.green('no changes'));
  else parts.push(p.yellow(`${changed} ${check ? 'would change' : 'changed'} on ${changedHosts} host${changedHosts === 1 ? '' : 's'}`));
  if (failed) parts.push(p.red(`${failed} host${failed === 1 ? '' : 's'} failed`));
  return `${parts.join(', ')} (${hosts.length} host${hosts.length === 1 ? '' : 's'}, ${time}${check ? ', check mode' : ''})`;
}

export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}
