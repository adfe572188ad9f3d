#!/usr/bin/env zx
// The whole job: provision the hosts (the lab by default, EC2 with --env aws),
// install Docker, push the stack's files and images, compose it up, and verify
// it answers. A second run changes nothing.
import { runPlaybookCli } from '../lib/runner/main.ts';
import { matchHosts } from '../lib/runner/select.ts';
import type { Inventory, Play, RunOptions, StateDir } from '../lib/core/types.ts';
import { provisionHosts } from './support/provision.ts';
import { resolveStackImages } from './support/stack-images.ts';
import { checkPrivateAddresses, checkStackVars, unusedGroups } from './support/check-vars.ts';
import { printAccessSummary } from './support/summary.ts';
import { dockerRole } from '../roles/docker/index.ts';
import { tlsRole } from '../roles/tls/index.ts';
import { nginxRole } from '../roles/nginx/index.ts';
import { prometheusRole } from '../roles/prometheus/index.ts';
import { alertmanagerRole } from '../roles/alertmanager/index.ts';
import { nodeExporterRole } from '../roles/node-exporter/index.ts';
import { grafanaRole } from '../roles/grafana/index.ts';
import { composeRole } from '../roles/compose/index.ts';
import { verifyRole } from '../roles/verify/index.ts';

export function sitePlays(): Play[] {
  return [
    {
      name: 'site',
      hosts: ['all'],
      roles: [dockerRole, tlsRole, nginxRole, prometheusRole, alertmanagerRole, nodeExporterRole, grafanaRole, composeRole],
    },
    // A play of its own: the monitoring host's checks need every web host deployed first.
    { name: 'verify', hosts: ['all'], roles: [verifyRole] },
  ];
}

async function prepare(inventory: Inventory, options: RunOptions, state: StateDir): Promise<Inventory> {
  // Bad vars stop the run here, before a host is created or touched.
  await checkStackVars(inventory);
  checkPrivateAddresses(inventory);
  for (const group of unusedGroups(inventory)) {
    process.stderr.write(`warning: ${inventory.file}: group '${group}' is used by no role (roles act on web and monitoring)\n`);
  }
  return resolveStackImages(await provisionHosts(inventory, options, state));
}

// Kept for the closing summary: the hosts as provisioned, and whether anything really ran.
let deployed: Inventory | undefined;
const code = await runPlaybookCli({
  describe: 'Provision the hosts, deploy the CloudNova stack (app, nginx, Prometheus, Alertmanager, node-exporter, Grafana) and verify it.',
  prepare: async (inventory, options, state) => {
    const ready = await prepare(inventory, options, state);
    if (!options.check) deployed = options.limit.length ? { ...ready, hosts: matchHosts(ready, options.limit) } : ready;
    return ready;
  },
  plays: () => sitePlays(),
});
if (deployed && code === 0) await printAccessSummary(deployed);
