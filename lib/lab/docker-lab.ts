// Docker-side facts and commands of a lab: names, labels, create arguments,
// and reading a lab back from `docker inspect`. Commands are argument arrays.
import { docker } from '../images/docker.ts';
import type { LabPorts } from './ports.ts';
import { STATE_LABEL } from './ownership.ts';

export const LAB_LABEL = 'io.cloudnova.lab';
export const HOST_LABEL = 'io.cloudnova.lab.host';
export const INDEX_LABEL = 'io.cloudnova.lab.index';
export const SLOT_LABEL = 'io.cloudnova.lab.slot';

export const networkName = (lab: string): string => `cloudnova-${lab}`;

/** cloudnova-lab-1 for host lab-1 of lab `lab`; cloudnova-lab-web for host web. */
export function containerName(lab: string, host: string): string {
  return host.startsWith(`${lab}-`) ? `cloudnova-${host}` : `cloudnova-${lab}-${host}`;
}

export const dockerVolumeName = (lab: string, host: string): string => `${containerName(lab, host)}-docker`;

export interface HostPlan {
  lab: string;
  host: string;
  index: number;
  slot: number;
  ports: LabPorts;
  image: string;
  /** Absolute state root of the checkout that creates the host: the lab's owner. */
  stateRoot: string;
}

/**
 * `docker create` for a systemd host. --privileged fails on this kind of machine;
 * these capabilities and mounts are what systemd and an inner dockerd need instead.
 */
export function createHostArgs(p: HostPlan): string[] {
  return [
    'create',
    '--name', containerName(p.lab, p.host),
    '--hostname', p.host,
    '--label', `${LAB_LABEL}=${p.lab}`,
    '--label', `${HOST_LABEL}=${p.host}`,
    '--label', `${INDEX_LABEL}=${p.index}`,
    '--label', `${SLOT_LABEL}=${p.slot}`,
    '--label', `${STATE_LABEL}=${p.stateRoot}`,
    '--network', networkName(p.lab),
    '--network-alias', p.host,
    '--cap-add', 'ALL',
    '--cap-drop', 'SYS_RESOURCE',
    '--security-opt', 'seccomp=unconfined',
    '--security-opt', 'apparmor=unconfined',
    '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
    '--cgroupns=host',
    '--tmpfs', '/run',
    '--tmpfs', '/run/lock',
    // The inner Docker's data needs a real filesystem (overlay2 cannot sit on overlay).
    '-v', `${dockerVolumeName(p.lab, p.host)}:/var/lib/docker`,
    '--stop-signal', 'SIGRTMIN+3',
    '--restart', 'unless-stopped',
    '-p', `127.0.0.1:${p.ports.ssh}:22`,
    '-p', `127.0.0.1:${p.ports.http}:80`,
    '-p', `127.0.0.1:${p.ports.https}:443`,
    p.image,
    '/sbin/init',
  ];
}

export interface LabContainer {
  id: string;
  container: string;
  host: string;
  index: number;
  slot: number;
  running: boolean;
  state: string;
  image: string;
  ports: Partial<LabPorts>;
  /** IP on the lab network ('' when stopped). */
  privateAddress: string;
  /** The container's labels (its image's included): the owner label among them. */
  labels: Record<string, string>;
}

interface InspectJson {
  Id: string;
  Name: string;
  Image: string;
  State: { Status: string; Running: boolean };
  Config: { Labels: Record<string, string> | null };
  HostConfig: { PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}

const boundPort = (j: InspectJson, port: string): number | undefined => {
  const b = j.HostConfig.PortBindings?.[`${port}/tcp`]?.[0];
  return b ? Number(b.HostPort) : undefined;
};

/** The lab's containers (all labs' when `lab` is undefined), from docker itself. */
export async function listLabContainers(lab?: string): Promise<LabContainer[]> {
  const filter = lab === undefined ? LAB_LABEL : `${LAB_LABEL}=${lab}`;
  const ids = (await docker(['ps', '-a', '-q', '--filter', `label=${filter}`])).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const parsed = JSON.parse((await docker(['inspect', ...ids])).stdout) as InspectJson[];
  return parsed
    .map((j) => {
      const labels = j.Config.Labels ?? {};
      const labName = labels[LAB_LABEL] ?? '';
      return {
        id: j.Id,
        container: j.Name.replace(/^\//, ''),
        host: labels[HOST_LABEL] ?? j.Name,
        index: Number(labels[INDEX_LABEL] ?? 0),
        slot: Number(labels[SLOT_LABEL] ?? -1),
        running: j.State.Running,
        state: j.State.Status,
        image: j.Image,
        ports: { ssh: boundPort(j, '22'), http: boundPort(j, '80'), https: boundPort(j, '443') },
        privateAddress: j.NetworkSettings.Networks?.[networkName(labName)]?.IPAddress ?? '',
        labels,
      };
    })
    .sort((a, b) => a.index - b.index);
}
