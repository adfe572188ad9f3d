// The alert rules. Thresholds come from vars.prometheus.alerts; expressions are
// written against node-exporter and the app's http_requests_total{route,method,status}.
import type { StackVars } from '../stack-vars.ts';
import { toYaml, type YamlValue } from '../yaml.ts';

// The host's root filesystem as node-exporter reports it with --path.rootfs. No fstype
// filter: a lab host's root is overlay (compose's node-exporter flags keep it).
const ROOT_FS = 'mountpoint="/"';

export const ALERT_NAMES = ['InstanceDown', 'HighCpu', 'HighMemory', 'HighDisk', 'App5xxRate'] as const;

export function alertRules(vars: StackVars): Record<string, YamlValue>[] {
  const a = vars.prometheus.alerts;
  return [
    {
      alert: 'InstanceDown',
      expr: 'up == 0',
      for: a.instanceDownFor,
      labels: { severity: 'critical' },
      annotations: { summary: '{{ $labels.job }} on {{ $labels.host }} is down', description: '{{ $labels.instance }} has not answered a scrape for ' + a.instanceDownFor + '.' },
    },
    {
      alert: 'HighCpu',
      expr: `100 * (1 - avg by (host, instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))) > ${a.cpuPercent}`,
      for: a.for,
      labels: { severity: 'warning' },
      annotations: { summary: 'CPU above ' + a.cpuPercent + '% on {{ $labels.host }}', description: 'CPU busy {{ printf "%.0f" $value }}%.' },
    },
    {
      alert: 'HighMemory',
      expr: `100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > ${a.memoryPercent}`,
      for: a.for,
      labels: { severity: 'warning' },
      annotations: { summary: 'Memory above ' + a.memoryPercent + '% on {{ $labels.host }}', description: 'Memory used {{ printf "%.0f" $value }}%.' },
    },
    {
      alert: 'HighDisk',
      expr: `100 * (1 - node_filesystem_avail_bytes{${ROOT_FS}} / node_filesystem_size_bytes{${ROOT_FS}}) > ${a.diskPercent}`,
      for: a.for,
      labels: { severity: 'warning' },
      annotations: { summary: 'Disk / above ' + a.diskPercent + '% on {{ $labels.host }}', description: 'Root filesystem {{ printf "%.0f" $value }}% full.' },
    },
    {
      alert: 'App5xxRate',
      // No traffic gives 0/0 = NaN, which compares false: no alert on an idle app.
      expr: `sum by (host) (rate(http_requests_total{job="app",status=~"5.."}[5m])) / sum by (host) (rate(http_requests_total{job="app"}[5m])) > ${a.app5xxRatio}`,
      for: a.for,
      labels: { severity: 'critical' },
      annotations: { summary: 'App on {{ $labels.host }} answers 5xx to more than ' + a.app5xxRatio * 100 + '% of requests', description: '{{ $value | humanizePercentage }} of requests failed.' },
    },
  ];
}

export function renderAlertRules(vars: StackVars): string {
  return toYaml({ groups: [{ name: 'cloudnova', rules: alertRules(vars) }] }, 'Alert rules rendered by CloudNova Deploy (roles/prometheus): edits are overwritten.');
}
