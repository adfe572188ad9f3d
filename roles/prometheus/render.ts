// prometheus.yml, the alert rules and the command-line flags of the prometheus
// service: pure functions of the vars and the inventory.
import { join } from 'node:path';
import type { HostConfig, Inventory } from '../../lib/core/types.ts';
import { PORTS, REMOTE_ROOT, hostsInGroup, privateAddressOf, publicHttpsUrl, type StackVars } from '../stack-vars.ts';
import { toYaml, type YamlValue } from '../yaml.ts';

/** Served by nginx under this prefix; Prometheus is told so it builds its links and routes with it. */
export const PROMETHEUS_ROUTE_PREFIX = '/prometheus';

export function prometheusFilePaths(root = REMOTE_ROOT) {
  const dir = join(root, 'prometheus');
  return { dir, config: join(dir, 'prometheus.yml'), rules: join(dir, 'rules.yml') };
}

interface Target {
  address: string;
  host: string;
}

function staticJob(job: string, targets: Target[], extra: Record<string, YamlValue> = {}): Record<string, YamlValue> {
  return {
    job_name: job,
    ...extra,
    // One static_config per target so each carries its own `host` label (the inventory name).
    static_configs: targets.map((t) => ({ targets: [t.address], labels: { host: t.host } })),
  };
}

/** The scrape jobs, also used by verify to know which targets must be up. */
export function scrapeJobs(vars: StackVars, monitoringHost: HostConfig, inventory: Inventory): Record<string, YamlValue>[] {
  const web = hostsInGroup(inventory, 'web');
  const jobs = [
    staticJob('prometheus', [{ address: `localhost:${PORTS.prometheus}`, host: monitoringHost.name }], {
      metrics_path: `${PROMETHEUS_ROUTE_PREFIX}/metrics`,
    }),
    staticJob('alertmanager', [{ address: `alertmanager:${PORTS.alertmanager}`, host: monitoringHost.name }]),
    // The app and node-exporter publish on each host's private address only (never public).
    staticJob('app', web.map((h) => ({ address: `${privateAddressOf(h)}:${PORTS.app}`, host: h.name }))),
    staticJob('node', inventory.hosts.map((h) => ({ address: `${privateAddressOf(h)}:${PORTS.nodeExporter}`, host: h.name }))),
  ];
  if (vars.grafana.enabled) {
    jobs.push(staticJob('grafana', [{ address: `grafana:${PORTS.grafana}`, host: monitoringHost.name }]));
  }
  return jobs;
}

export function renderPrometheusConfig(vars: StackVars, monitoringHost: HostConfig, inventory: Inventory, root = REMOTE_ROOT): string {
  const files = prometheusFilePaths(root);
  const config: YamlValue = {
    global: {
      scrape_interval: vars.prometheus.scrapeInterval,
      evaluation_interval: vars.prometheus.evaluationInterval,
      external_labels: { monitor: vars.project },
    },
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`alertmanager:${PORTS.alertmanager}`] }] }] },
    rule_files: [files.rules],
    scrape_configs: scrapeJobs(vars, monitoringHost, inventory),
  };
  return toYaml(config, `prometheus.yml for ${monitoringHost.name}, rendered by CloudNova Deploy (roles/prometheus): edits are overwritten.`);
}

/**
 * Flags of the prometheus service in compose. Config and rules are reloaded through
 * /-/reload (lifecycle API), so only a flag change restarts the container.
 */
export function prometheusFlags(vars: StackVars, monitoringHost: HostConfig, root = REMOTE_ROOT): string[] {
  return [
    `--config.file=${prometheusFilePaths(root).config}`,
    '--storage.tsdb.path=/prometheus',
    `--storage.tsdb.retention.time=${vars.prometheus.retention}`,
    `--web.external-url=${new URL('prometheus/', publicHttpsUrl(monitoringHost)).href}`,
    `--web.route-prefix=${PROMETHEUS_ROUTE_PREFIX}`,
    '--web.enable-lifecycle',
  ];
}
