// The lab as an inventory provider: lab hosts as HostConfig[], to be added to
// the inventory with addProvidedHosts(inventory, hosts) (lib/inventory/load.ts).
import type { HostConfig, Vars } from '../core/types.ts';
import { labStatus, labUp, type LabHostStatus, type LabOptions, type LabStatus } from './lab.ts';

export interface LabHostSpec {
  name: string;
  /** Inventory groups of the host, e.g. ['web', 'monitoring']. */
  groups?: string[];
  vars?: Vars;
}

export interface ProvideLabHostsOptions extends LabOptions {
  /** The hosts the inventory declares for the lab (their names become the lab's hosts). */
  hosts: LabHostSpec[];
  /** Bring the lab up first (default true); false only reads what runs now. */
  up?: boolean;
}

/** A lab host as the run sees it: SSH via 127.0.0.1:port, others reach it on the lab network. */
export function labHostConfig(status: LabStatus, host: LabHostStatus, spec: LabHostSpec): HostConfig {
  return {
    name: host.name,
    address: host.ssh.address,
    port: host.ssh.port,
    user: status.user,
    privateKeyPath: status.privateKeyPath,
    privateAddress: host.privateAddress || undefined,
    // TLS SANs: the controller uses 127.0.0.1/localhost, the other lab hosts the name and IP.
    publicNames: [...new Set(['localhost', host.ssh.address, host.name, host.privateAddress].filter(Boolean))],
    urls: { ...host.urls },
    groups: spec.groups ?? [],
    vars: spec.vars ?? {},
    become: true,
  };
}

/** Bring the lab up with exactly the declared hosts (or read it) and return them as HostConfig[]. */
export async function provideLabHosts(o: ProvideLabHostsOptions): Promise<HostConfig[]> {
  const names = o.hosts.map((h) => h.name);
  const status = o.up === false ? await labStatus(o) : (await labUp({ ...o, hosts: names })).status;
  return o.hosts.map((spec) => {
    const host = status.hosts.find((h) => h.name === spec.name);
    if (!host) throw new Error(`lab ${status.name}: host ${spec.name} is not running (npx zx playbooks/lab.ts up)`);
    return labHostConfig(status, host, spec);
  });
}
