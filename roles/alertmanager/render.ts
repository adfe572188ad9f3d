// alertmanager.yml: one route to one receiver (a webhook, or a receiver that sends
// nowhere, so alerts still group and show in the Alertmanager API).
import { join } from 'node:path';
import type { StackVars } from '../stack-vars.ts';
import { REMOTE_ROOT } from '../stack-vars.ts';
import { toYaml, type YamlValue } from '../yaml.ts';

export function alertmanagerFilePaths(root = REMOTE_ROOT) {
  const dir = join(root, 'alertmanager');
  return { dir, config: join(dir, 'alertmanager.yml') };
}

export function renderAlertmanagerConfig(vars: StackVars): string {
  const { receiver, route } = vars.alertmanager;
  const receiverConfig: Record<string, YamlValue> = { name: receiver.name };
  if (receiver.webhookUrl !== null) {
    receiverConfig.webhook_configs = [{ url: receiver.webhookUrl, send_resolved: true }];
  }
  const config: YamlValue = {
    route: {
      receiver: receiver.name,
      group_by: route.groupBy,
      group_wait: route.groupWait,
      group_interval: route.groupInterval,
      repeat_interval: route.repeatInterval,
    },
    receivers: [receiverConfig],
    // A host that is down also fails its other alerts: show only the cause.
    inhibit_rules: [
      {
        source_matchers: ['alertname="InstanceDown"'],
        target_matchers: ['alertname=~"HighCpu|HighMemory|HighDisk|App5xxRate"'],
        equal: ['host'],
      },
    ],
  };
  return toYaml(config, 'alertmanager.yml rendered by CloudNova Deploy (roles/alertmanager): edits are overwritten.');
}

/** Flags of the alertmanager service in compose (config changes reload through /-/reload or restart). */
export function alertmanagerFlags(root = REMOTE_ROOT): string[] {
  return [`--config.file=${alertmanagerFilePaths(root).config}`, '--storage.path=/alertmanager'];
}
