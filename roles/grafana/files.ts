// What the grafana role puts on the monitoring host: grafana.ini, provisioning,
// dashboards and the admin password file.
import { join } from 'node:path';
import type { HostConfig } from '../../lib/core/types.ts';
import type { RemoteFile, StackVars } from '../stack-vars.ts';
import { cloudnovaDashboard } from './dashboard.ts';
import { grafanaFilePaths, renderDashboardProvider, renderDatasources, renderGrafanaIni } from './provisioning.ts';

/** The official image runs Grafana as uid 472; it must read its config and the password file. */
export const GRAFANA_UID = '472';

/**
 * `imported`: dashboards from importDashboard(), by grafana.com id. Everything is
 * written even where Grafana cannot run (the lab), so the files are checked and the
 * panel queries can be run against Prometheus.
 */
export function grafanaFiles(vars: StackVars, host: HostConfig, adminPassword: string, imported: Record<number, object>): RemoteFile[] {
  const p = grafanaFilePaths();
  const json = (d: object) => `${JSON.stringify(d, null, 2)}\n`;
  const files: RemoteFile[] = [
    { dest: p.ini, content: renderGrafanaIni(vars, host), mode: '0644' },
    { dest: p.datasources, content: renderDatasources(), mode: '0644' },
    { dest: p.dashboardProvider, content: renderDashboardProvider(), mode: '0644' },
    { dest: join(p.dashboards, 'cloudnova-overview.json'), content: json(cloudnovaDashboard()), mode: '0644' },
    { dest: p.adminPassword, content: adminPassword, mode: '0400', owner: GRAFANA_UID, group: 'root', secret: true },
  ];
  for (const [id, dashboard] of Object.entries(imported)) {
    files.push({ dest: join(p.dashboards, `grafana-com-${id}.json`), content: json(dashboard), mode: '0644' });
  }
  return files;
}

/** Files whose change needs a Grafana restart (it reads them at start): the config-hash input. */
export function grafanaRestartFiles(files: RemoteFile[]): Record<string, string> {
  const p = grafanaFilePaths();
  return Object.fromEntries(files.filter((f) => f.dest === p.ini || f.dest.startsWith(`${p.provisioning}/`)).map((f) => [f.dest, f.content]));
}
