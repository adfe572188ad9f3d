// Our own dashboard: host CPU, memory and disk from node-exporter, and the app's
// request rate and p95 latency from its prom-client metrics.
import { DATASOURCE_UID } from './provisioning.ts';

type Json = Record<string, unknown>;

const datasource = { type: 'prometheus', uid: DATASOURCE_UID };

function panel(id: number, title: string, type: string, gridPos: Json, exprs: Array<[string, string]>, fieldConfig: Json): Json {
  return {
    id,
    title,
    type,
    datasource,
    gridPos,
    targets: exprs.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), datasource, expr, legendFormat })),
    fieldConfig: { defaults: fieldConfig, overrides: [] },
    options: {},
  };
}

const percent = { unit: 'percent', min: 0, max: 100 };
const HOST = 'host=~"$host"';

export const CLOUDNOVA_DASHBOARD_UID = 'cloudnova-overview';

export function cloudnovaDashboard(): Json {
  return {
    uid: CLOUDNOVA_DASHBOARD_UID,
    title: 'CloudNova Overview',
    tags: ['cloudnova'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        {
          name: 'host',
          label: 'Host',
          type: 'query',
          datasource,
          query: { query: 'label_values(up{job="node"}, host)', refId: 'host' },
          definition: 'label_values(up{job="node"}, host)',
          refresh: 2,
          multi: true,
          includeAll: true,
          current: { text: 'All', value: '$__all' },
        },
      ],
    },
    panels: [
      panel(1, 'CPU %', 'timeseries', { x: 0, y: 0, w: 8, h: 8 },
        [[`100 * (1 - avg by (host) (rate(node_cpu_seconds_total{mode="idle",${HOST}}[$__rate_interval])))`, '{{host}}']], percent),
      panel(2, 'Memory %', 'timeseries', { x: 8, y: 0, w: 8, h: 8 },
        [[`100 * (1 - node_memory_MemAvailable_bytes{${HOST}} / node_memory_MemTotal_bytes{${HOST}})`, '{{host}}']], percent),
      panel(3, 'Disk % (/)', 'gauge', { x: 16, y: 0, w: 8, h: 8 },
        [[`100 * (1 - node_filesystem_avail_bytes{mountpoint="/",${HOST}} / node_filesystem_size_bytes{mountpoint="/",${HOST}})`, '{{host}}']],
        { ...percent, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'orange', value: 75 }, { color: 'red', value: 85 }] } }),
      panel(4, 'App requests per second', 'timeseries', { x: 0, y: 8, w: 12, h: 8 },
        [[`sum by (host, status) (rate(http_requests_total{job="app",${HOST}}[$__rate_interval]))`, '{{host}} {{status}}']], { unit: 'reqps' }),
      panel(5, 'App latency p95', 'timeseries', { x: 12, y: 8, w: 12, h: 8 },
        [[`histogram_quantile(0.95, sum by (le, host) (rate(http_request_duration_seconds_bucket{job="app",${HOST}}[$__rate_interval])))`, '{{host}}']], { unit: 's' }),
    ],
  };
}
