// The compose file of one host: pure (vars + host + inventory + config hashes -> YAML).
// Which services a host runs follows its groups; only nginx publishes public ports.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { HostConfig } from '../../lib/core/types.ts';
import { PORTS, REMOTE_ROOT, hostRoles, privateAddressOf, type StackVars } from '../stack-vars.ts';
import { toYaml, type YamlValue } from '../yaml.ts';

export type ServiceName = 'app' | 'nginx' | 'node-exporter' | 'prometheus' | 'alertmanager' | 'grafana';

export const CONFIG_HASH_LABEL = 'io.cloudnova.config-hash';

/**
 * sha256 over files (path and content, sorted by path) for the config-hash label.
 * Give it only what the service reads at start: nginx.conf and prometheus.yml are
 * reloaded in place, so hashing them would restart a service that only needs a reload.
 * Restart-only today: alertmanager.yml; grafana.ini and provisioning/ (datasources).
 */
export function configHash(files: Record<string, string | Buffer>): string {
  const h = createHash('sha256');
  for (const path of Object.keys(files).sort()) {
    h.update(path).update('\0').update(files[path]).update('\0');
  }
  return h.digest('hex');
}

const EMPTY_HASH = configHash({});

export interface ComposeInput {
  vars: StackVars;
  host: HostConfig;
  /** Per service; a service missing here gets the hash of no files. */
  configHashes?: Partial<Record<ServiceName, string>>;
  /** Command lines and mounts from the roles that own them (their render.ts). */
  prometheusFlags: string[];
  alertmanagerFlags: string[];
  nodeExporter: { command: string[]; volumes: string[] };
  root?: string;
}

export function servicesFor(vars: StackVars, host: HostConfig): ServiceName[] {
  const { web, monitoring } = hostRoles(host);
  const out: ServiceName[] = [];
  if (web) out.push('app');
  out.push('nginx', 'node-exporter');
  if (monitoring) out.push('prometheus', 'alertmanager');
  if (monitoring && vars.grafana.enabled) out.push('grafana');
  return out;
}

/**
 * An HTTP probe that works in the official images (busybox wget), Debian-built ones
 * (no wget or curl, but bash) and anything with curl.
 */
function httpProbe(port: number, path: string): YamlValue {
  const url = `http://127.0.0.1:${port}${path}`;
  const viaBash = `exec 3<>/dev/tcp/127.0.0.1/${port} && printf "GET ${path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n" >&3 && head -n1 <&3 | grep -q " 200 "`;
  return [
    'CMD-SHELL',
    `wget -q -O /dev/null ${url} 2>/dev/null || curl -fsS -o /dev/null ${url} 2>/dev/null || bash -c '${viaBash}'`,
  ];
}

const health = (test: YamlValue, startPeriod = '20s'): YamlValue => ({ test, interval: '15s', timeout: '5s', retries: 5, start_period: startPeriod });

/** A config folder bind-mounted at the same path, read-only (docs/conventions.md). */
const sameFolder = (dir: string): string => `${dir}:${dir}:ro`;

function service(name: ServiceName, input: ComposeInput): Record<string, YamlValue> {
  const { vars, host } = input;
  const root = input.root ?? REMOTE_ROOT;
  const dir = (sub: string) => join(root, sub);
  const priv = privateAddressOf(host);
  const common = (image: string) => ({
    image,
    restart: 'unless-stopped',
    labels: { [CONFIG_HASH_LABEL]: input.configHashes?.[name] ?? EMPTY_HASH },
  });
  switch (name) {
    case 'app':
      return {
        ...common(vars.images.app),
        environment: {
          NODE_ENV: 'production',
          PORT: String(PORTS.app),
          DATABASE_PATH: '/data/miniwebapp.db',
          SEED_DEMO_USERS: String(vars.app.seedDemoUsers),
        },
        volumes: ['app-data:/data'],
        // Reachable by Prometheus on the private network, never on a public address.
        ports: [`${priv}:${PORTS.app}:${PORTS.app}`],
        stop_grace_period: '30s',
        healthcheck: health(['CMD', 'node', '-e', `fetch('http://127.0.0.1:${PORTS.app}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`], '10s'),
      };
    case 'nginx': {
      const { http, https } = vars.nginx.listen;
      return {
        ...common(vars.images.nginx),
        command: ['nginx', '-c', join(dir('nginx'), 'nginx.conf'), '-g', 'daemon off;'],
        ports: [`${http}:${http}`, `${https}:${https}`],
        volumes: [sameFolder(dir('nginx')), sameFolder(dir('tls'))],
        healthcheck: health(httpProbe(http, '/nginx-health'), '5s'),
      };
    }
    case 'node-exporter':
      return {
        ...common(vars.images.nodeExporter),
        command: input.nodeExporter.command,
        volumes: input.nodeExporter.volumes,
        ports: [`${priv}:${PORTS.nodeExporter}:${PORTS.nodeExporter}`],
        healthcheck: health(httpProbe(PORTS.nodeExporter, '/metrics'), '5s'),
      };
    case 'prometheus':
      return {
        ...common(vars.images.prometheus),
        command: input.prometheusFlags,
        volumes: [sameFolder(dir('prometheus')), 'prometheus-data:/prometheus'],
        healthcheck: health(httpProbe(PORTS.prometheus, '/prometheus/-/healthy')),
      };
    case 'alertmanager':
      return {
        ...common(vars.images.alertmanager),
        command: input.alertmanagerFlags,
        volumes: [sameFolder(dir('alertmanager')), 'alertmanager-data:/alertmanager'],
        healthcheck: health(httpProbe(PORTS.alertmanager, '/-/healthy')),
      };
    case 'grafana':
      if (vars.images.grafana === null) throw new Error('grafana service without vars.images.grafana (stackVars rejects this)');
      return {
        ...common(vars.images.grafana),
        environment: {
          GF_PATHS_CONFIG: join(dir('grafana'), 'grafana.ini'),
          GF_PATHS_PROVISIONING: join(dir('grafana'), 'provisioning'),
        },
        volumes: [sameFolder(dir('grafana')), 'grafana-data:/var/lib/grafana'],
        healthcheck: health(httpProbe(PORTS.grafana, '/grafana/api/health'), '30s'),
      };
  }
}

const VOLUMES: Partial<Record<ServiceName, string>> = {
  app: 'app-data',
  prometheus: 'prometheus-data',
  alertmanager: 'alertmanager-data',
  grafana: 'grafana-data',
};

/** Compose interpolates $VAR in every value; nothing we write is meant as a variable. */
function escapeDollars(v: YamlValue): YamlValue {
  if (typeof v === 'string') return v.replace(/\$/g, '$$$$');
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === undefined ? x : escapeDollars(x)]));
  }
  return v;
}

export function renderCompose(input: ComposeInput): string {
  const names = servicesFor(input.vars, input.host);
  const services: Record<string, YamlValue> = {};
  for (const n of names) services[n] = service(n, input);
  const volumes: Record<string, YamlValue> = {};
  for (const n of names) if (VOLUMES[n]) volumes[VOLUMES[n]] = {};
  return toYaml(
    escapeDollars({ name: input.vars.project, services, volumes }),
    `compose.yaml for ${input.host.name}, rendered by CloudNova Deploy (roles/compose): edits are overwritten.`,
  );
}
