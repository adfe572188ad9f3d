// Hosts and inventories shared by the role renderer tests.
import type { HostConfig, Inventory } from '../../../../lib/core/types.ts';

export function labHost(name: string, n: number, groups: string[], extra: Partial<HostConfig> = {}): HostConfig {
  return {
    name,
    address: '127.0.0.1',
    port: 2220 + n,
    user: 'admin',
    privateKeyPath: '/state/ssh/id_ed25519',
    privateAddress: `172.30.0.${10 + n}`,
    publicNames: [name],
    urls: { https: `https://127.0.0.1:${8440 + n}/`, http: `http://127.0.0.1:${8080 + n}/` },
    groups: ['all', ...groups],
    vars: {},
    become: true,
    ...extra,
  };
}

export function inventoryOf(hosts: HostConfig[]): Inventory {
  const groups: Record<string, string[]> = { all: hosts.map((h) => h.name) };
  for (const h of hosts) for (const g of h.groups) if (g !== 'all') (groups[g] ??= []).push(h.name);
  return { env: 'lab', file: 'inventory.ts', hosts, groups, vars: {} };
}

/** lab-1: web + monitoring, lab-2: web (the lab's default two hosts). */
export const lab1 = labHost('lab-1', 1, ['web', 'monitoring']);
export const lab2 = labHost('lab-2', 2, ['web']);
export const labInventory = inventoryOf([lab1, lab2]);
