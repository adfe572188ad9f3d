// What the prometheus role puts on the monitoring host, checked with the image's own promtool.
import type { HostConfig, Inventory } from '../../lib/core/types.ts';
import { REMOTE_ROOT, reloadArgv, type RemoteFile, type StackVars } from '../stack-vars.ts';
import { prometheusFilePaths, renderPrometheusConfig } from './render.ts';
import { renderAlertRules } from './rules.ts';

function promtoolArgv(vars: StackVars, ...args: string[]): string[] {
  const dir = prometheusFilePaths().dir;
  return ['docker', 'run', '--rm', '--network', 'none', '-v', `${dir}:${dir}:ro`, '--entrypoint', 'promtool', vars.images.prometheus, ...args];
}

/** Rules first: `check config` on the new prometheus.yml also opens the rules file it names. */
export function prometheusFiles(vars: StackVars, host: HostConfig, inventory: Inventory): RemoteFile[] {
  const paths = prometheusFilePaths(REMOTE_ROOT);
  return [
    { dest: paths.rules, content: renderAlertRules(vars), mode: '0644', validate: (tmp) => promtoolArgv(vars, 'check', 'rules', tmp) },
    { dest: paths.config, content: renderPrometheusConfig(vars, host, inventory), mode: '0644', validate: (tmp) => promtoolArgv(vars, 'check', 'config', tmp) },
  ];
}

/** Handler: Prometheus rereads prometheus.yml and the rules on SIGHUP (same as POST /-/reload). */
export const prometheusReloadArgv = (vars: StackVars): string[] => reloadArgv(vars, 'prometheus');
