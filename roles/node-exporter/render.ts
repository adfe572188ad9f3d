// node-exporter's container: the host's /proc, /sys and / read-only, and the flags
// that point node-exporter at them. The compose role places it in the compose file,
// published on the host's private address only.
import { PORTS, type StackVars } from '../stack-vars.ts';

// node-exporter's default minus overlay: a lab host's root filesystem is overlay, and
// the disk alert and gauge need it. Docker's own overlay mounts stay excluded by the
// default mount-points-exclude (/var/lib/docker/...).
export const FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';

export interface NodeExporterContainer {
  command: string[];
  volumes: string[];
}

export function nodeExporterContainer(vars: StackVars): NodeExporterContainer {
  return {
    command: [
      '--path.procfs=/host/proc',
      '--path.sysfs=/host/sys',
      '--path.rootfs=/rootfs',
      `--web.listen-address=:${PORTS.nodeExporter}`,
      `--collector.filesystem.fs-types-exclude=${FS_TYPES_EXCLUDE}`,
      ...vars.nodeExporter.extraFlags,
    ],
    // A plain (private) bind of /: rslave would need / to be a shared mount, which not every host has.
    volumes: ['/proc:/host/proc:ro', '/sys:/host/sys:ro', '/:/rootfs:ro'],
  };
}
