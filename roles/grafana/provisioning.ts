// Grafana's own config and provisioning files: pure renderers. Grafana reads them
// only at start (datasources) or on its periodic rescan (dashboards), so the
// compose role hashes them into the grafana service's config-hash label.
import { join } from 'node:path';
import type { HostConfig } from '../../lib/core/types.ts';
import { PORTS, REMOTE_ROOT, publicHttpsUrl, type StackVars } from '../stack-vars.ts';
import { toYaml } from '../yaml.ts';

/** Every panel of our dashboards and of imported ones points at this uid. */
export const DATASOURCE_UID = 'cloudnova-prometheus';
export const GRAFANA_ROUTE_PREFIX = '/grafana/';

export function grafanaFilePaths(root = REMOTE_ROOT) {
  const dir = join(root, 'grafana');
  return {
    dir,
    ini: join(dir, 'grafana.ini'),
    provisioning: join(dir, 'provisioning'),
    datasources: join(dir, 'provisioning', 'datasources', 'cloudnova.yaml'),
    dashboardProvider: join(dir, 'provisioning', 'dashboards', 'cloudnova.yaml'),
    dashboards: join(dir, 'dashboards'),
    /** Read by Grafana through $__file{}: must be readable by the grafana user (uid 472), 0400. */
    adminPassword: join(dir, 'secrets', 'admin-password'),
  };
}

export function renderDatasources(): string {
  return toYaml(
    {
      apiVersion: 1,
      // Remove what an earlier release provisioned under the same name, so the uid stays ours.
      deleteDatasources: [{ name: 'Prometheus', orgId: 1 }],
      datasources: [
        {
          name: 'Prometheus',
          uid: DATASOURCE_UID,
          type: 'prometheus',
          access: 'proxy',
          orgId: 1,
          // Prometheus serves under its route prefix, also on the compose network.
          url: `http://prometheus:${PORTS.prometheus}/prometheus`,
          isDefault: true,
          editable: false,
          jsonData: { httpMethod: 'POST', timeInterval: '15s' },
        },
      ],
    },
    'Grafana datasources, rendered by CloudNova Deploy (roles/grafana).',
  );
}

export function renderDashboardProvider(root = REMOTE_ROOT): string {
  return toYaml(
    {
      apiVersion: 1,
      providers: [
        {
          name: 'cloudnova',
          orgId: 1,
          folder: 'CloudNova',
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 30,
          options: { path: grafanaFilePaths(root).dashboards, foldersFromFilesStructure: false },
        },
      ],
    },
    'Grafana dashboard provider, rendered by CloudNova Deploy (roles/grafana).',
  );
}

/** grafana.ini: served under /grafana/, admin password from a file (never the default), no anonymous access. */
export function renderGrafanaIni(vars: StackVars, host: HostConfig, root = REMOTE_ROOT): string {
  const files = grafanaFilePaths(root);
  const rootUrl = new URL(GRAFANA_ROUTE_PREFIX.slice(1), publicHttpsUrl(host)).href;
  return [
    `; grafana.ini for ${host.name} (${vars.project}), rendered by CloudNova Deploy (roles/grafana): edits are overwritten.`,
    '[server]',
    `http_port = ${PORTS.grafana}`,
    `root_url = ${rootUrl}`,
    'serve_from_sub_path = true',
    '',
    '[paths]',
    `provisioning = ${files.provisioning}`,
    'data = /var/lib/grafana',
    '',
    '[security]',
    'admin_user = admin',
    // $__file{} keeps the secret out of this file (and out of diffs and the config hash).
    `admin_password = $__file{${files.adminPassword}}`,
    'cookie_secure = true',
    'disable_gravatar = true',
    '',
    '[users]',
    'allow_sign_up = false',
    '',
    '[auth.anonymous]',
    'enabled = false',
    '',
    '[analytics]',
    // Hosts may have no internet: no phoning home, no update checks.
    'reporting_enabled = false',
    'check_for_updates = false',
    'check_for_plugin_updates = false',
    '',
    '[metrics]',
    'enabled = true',
    '',
  ].join('\n');
}
