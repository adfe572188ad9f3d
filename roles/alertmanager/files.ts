// alertmanager.yml on the monitoring host, checked with the image's own amtool.
import { type RemoteFile, type StackVars } from '../stack-vars.ts';
import { alertmanagerFilePaths, renderAlertmanagerConfig } from './render.ts';

export function alertmanagerFiles(vars: StackVars): RemoteFile[] {
  const { dir, config } = alertmanagerFilePaths();
  return [
    {
      dest: config,
      content: renderAlertmanagerConfig(vars),
      mode: '0644',
      // A webhook URL is often a bearer secret (Slack, PagerDuty): never shown in --diff.
      secret: vars.alertmanager.receiver.webhookUrl !== null,
      validate: (tmp) => ['docker', 'run', '--rm', '--network', 'none', '-v', `${dir}:${dir}:ro`, '--entrypoint', 'amtool', vars.images.alertmanager, 'check-config', tmp],
    },
  ];
}
