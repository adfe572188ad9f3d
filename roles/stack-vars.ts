// The one vars shape of the stack, shared by the roles (nginx needs grafana.enabled,
// compose needs every image). Each section's type, defaults and checks live in its
// role's vars.ts; this module only merges the host's vars over the defaults and
// validates the result. Also: where things live on a host, and which groups a host is in.
import { randomBytes } from 'node:crypto';
import type { HostConfig, Inventory, Vars } from '../lib/core/types.ts';
import { ConfigError } from '../lib/core/types.ts';
import { checkObject, checkString, isPlainObject, type Where } from './vars-check.ts';
import { ALERTMANAGER_DEFAULTS, validateAlertmanagerVars, type AlertmanagerVars } from './alertmanager/vars.ts';
import { APP_DEFAULTS, COMPOSE_DEFAULTS, IMAGE_DEFAULTS, validateAppVars, validateComposeVars, validateImageVars, type AppVars, type ComposeVars, type ImageVars } from './compose/vars.ts';
import { DOCKER_DEFAULTS, validateDockerVars, type DockerVars } from './docker/vars.ts';
import { GRAFANA_DEFAULTS, validateGrafanaVars, type GrafanaVars } from './grafana/vars.ts';
import { NGINX_DEFAULTS, validateNginxVars, type NginxVars } from './nginx/vars.ts';
import { NODE_EXPORTER_DEFAULTS, validateNodeExporterVars, type NodeExporterVars } from './node-exporter/vars.ts';
import { PROMETHEUS_DEFAULTS, validatePrometheusVars, type PrometheusVars } from './prometheus/vars.ts';
import { TLS_DEFAULTS, validateTlsVars, type TlsVars } from './tls/vars.ts';
import { VERIFY_DEFAULTS, validateVerifyVars, type VerifyVars } from './verify/vars.ts';

export interface StackVars {
  /** Compose project name; also the prefix of volume names. */
  project: string;
  app: AppVars;
  images: ImageVars;
  docker: DockerVars;
  tls: TlsVars;
  nginx: NginxVars;
  prometheus: PrometheusVars;
  alertmanager: AlertmanagerVars;
  nodeExporter: NodeExporterVars;
  grafana: GrafanaVars;
  compose: ComposeVars;
  verify: VerifyVars;
}

export const STACK_DEFAULTS: StackVars = {
  project: 'cloudnova',
  app: APP_DEFAULTS,
  images: IMAGE_DEFAULTS,
  docker: DOCKER_DEFAULTS,
  tls: TLS_DEFAULTS,
  nginx: NGINX_DEFAULTS,
  prometheus: PROMETHEUS_DEFAULTS,
  alertmanager: ALERTMANAGER_DEFAULTS,
  nodeExporter: NODE_EXPORTER_DEFAULTS,
  grafana: GRAFANA_DEFAULTS,
  compose: COMPOSE_DEFAULTS,
  verify: VERIFY_DEFAULTS,
};

const STACK_KEYS = Object.keys(STACK_DEFAULTS) as (keyof StackVars)[];

/** Objects merge key by key; lists and scalars replace. */
function mergeOver(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeOver(base[k], v);
  return out;
}

/**
 * The stack vars of a host: its merged vars (all < group < host) over the defaults,
 * validated. Keys of `raw` that are not stack keys belong to other parts (ec2, lab)
 * and are ignored here. Throws ConfigError naming `file` and the field path.
 */
export function stackVars(raw: Vars, file: string): StackVars {
  const root: Where = { file, path: 'vars' };
  const picked: Record<string, unknown> = {};
  for (const key of STACK_KEYS) if (raw[key] !== undefined) picked[key] = raw[key];
  const merged = checkObject(mergeOver(STACK_DEFAULTS, picked), root, STACK_KEYS);
  const w = (key: string): Where => ({ file, path: `vars.${key}` });
  const vars: StackVars = {
    project: checkString(merged.project, w('project'), /^[a-z0-9][a-z0-9_-]*$/, 'a compose project name (lower-case letters, digits, _ -)'),
    app: validateAppVars(merged.app, w('app')),
    images: validateImageVars(merged.images, w('images')),
    docker: validateDockerVars(merged.docker, w('docker')),
    tls: validateTlsVars(merged.tls, w('tls')),
    nginx: validateNginxVars(merged.nginx, w('nginx')),
    prometheus: validatePrometheusVars(merged.prometheus, w('prometheus')),
    alertmanager: validateAlertmanagerVars(merged.alertmanager, w('alertmanager')),
    nodeExporter: validateNodeExporterVars(merged.nodeExporter, w('nodeExporter')),
    grafana: validateGrafanaVars(merged.grafana, w('grafana')),
    compose: validateComposeVars(merged.compose, w('compose')),
    verify: validateVerifyVars(merged.verify, w('verify')),
  };
  if (vars.grafana.enabled && vars.images.grafana === null) {
    throw new ConfigError(file, 'vars.grafana.enabled', 'true but vars.images.grafana is null: set a Grafana image, or grafana.enabled: false');
  }
  return vars;
}

// ---------------------------------------------------------------- hosts

/** Everything of the stack on a host lives under this folder (docs/conventions.md). */
export const REMOTE_ROOT = '/opt/cloudnova';

export const PORTS = { http: 80, https: 443, app: 3000, nodeExporter: 9100, prometheus: 9090, alertmanager: 9093, grafana: 3000 } as const;

export const privateAddressOf = (host: HostConfig): string => host.privateAddress ?? host.address;

export interface HostRoles {
  /** Runs the app (group web). */
  web: boolean;
  /** Runs Prometheus, Alertmanager and Grafana (group monitoring). */
  monitoring: boolean;
}

export const hostRoles = (host: HostConfig): HostRoles => ({
  web: host.groups.includes('web'),
  monitoring: host.groups.includes('monitoring'),
});

export const hostsInGroup = (inventory: Inventory, group: string): HostConfig[] => {
  const names = inventory.groups[group] ?? [];
  return inventory.hosts.filter((h) => names.includes(h.name));
};

/** The https URL of a host as a browser outside sees it (the lab publishes on 127.0.0.1:PORT). */
export function publicHttpsUrl(host: HostConfig): string {
  const url = host.urls?.https ?? `https://${host.publicNames?.[0] ?? host.address}/`;
  return url.endsWith('/') ? url : `${url}/`;
}

// ---------------------------------------------------------------- files and commands

/** A file a role puts on a host: the shape lib/modules/copy.ts takes (content, mode, validate). */
export interface RemoteFile {
  dest: string;
  content: string;
  /** Octal string, '0644'. */
  mode: string;
  owner?: string;
  group?: string;
  /** Never print the content nor its diff. */
  secret?: boolean;
  /** Check the candidate at `tmp` (same folder as dest) before it replaces dest. */
  validate?: (tmp: string) => string[];
}

/** `docker compose` on the current release of the host's project. */
export function composeArgv(vars: StackVars, ...args: string[]): string[] {
  return ['docker', 'compose', '-p', vars.project, '-f', `${REMOTE_ROOT}/compose.yaml`, ...args];
}

/**
 * Send a signal to a service's main process: nginx, Prometheus and Alertmanager all
 * reload their config on SIGHUP, and this needs no HTTP client inside the image.
 */
export const reloadArgv = (vars: StackVars, service: string): string[] => composeArgv(vars, 'kill', '-s', 'SIGHUP', service);

/** A generated password (Grafana admin, Prometheus basic auth): URL- and shell-safe, 32 characters. */
export const generatePassword = (): string => randomBytes(24).toString('base64url');
