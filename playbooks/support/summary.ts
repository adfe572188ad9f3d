// What a newcomer needs after a successful run: where the stack answers, which
// CA to trust, and where the generated passwords are (paths only, never values).
import { existsSync } from 'node:fs';
import type { Inventory } from '../../lib/core/types.ts';
import { openState } from '../../lib/state.ts';
import { publicHttpsUrl, stackVars } from '../../roles/stack-vars.ts';

export async function printAccessSummary(inventory: Inventory, out: (line: string) => void = console.log): Promise<void> {
  const state = await openState();
  const lines = ['', 'CloudNova stack is up:'];
  for (const host of inventory.hosts) {
    const base = publicHttpsUrl(host);
    const parts = [];
    if (host.groups.includes('web')) parts.push(`app ${base}`);
    if (host.groups.includes('monitoring')) {
      const grafana = stackVars(host.vars, inventory.file).grafana.enabled ? `${base}grafana/` : '(not run here: no image; files checked)';
      parts.push(`prometheus ${base}prometheus/`, `grafana ${grafana}`);
    }
    lines.push(`  ${host.name.padEnd(12)} ${parts.join('   ')}`);
  }
  const ca = state.path('tls', 'ca.crt');
  if (existsSync(ca)) lines.push(`  ${'CA certificate:'.padEnd(36)}${ca}   (curl --cacert ${ca} ...)`);
  const grafanaRuns = inventory.hosts.some((h) => h.groups.includes('monitoring') && stackVars(h.vars, inventory.file).grafana.enabled);
  const secrets: Array<[string, string]> = [['prometheus-basic-auth-password', 'Prometheus password (user admin)']];
  if (grafanaRuns) secrets.push(['grafana-admin-password', 'Grafana password (user admin)']);
  for (const [name, label] of secrets) {
    const path = state.path('secrets', name);
    if (existsSync(path)) lines.push(`  ${(label + ':').padEnd(36)}${path}`);
  }
  out(lines.join('\n'));
}
