// Inventory, state and modules for runner tests.
import type { HostConfig, Inventory, Module, StateDir } from '../../lib/core/types.ts';
import { FakeConnection } from './fake-connection.ts';

export function fakeHost(name: string, groups: string[] = ['all']): HostConfig {
  return { name, address: '127.0.0.1', port: 22, user: 'u', privateKeyPath: '/k', groups, vars: { who: name }, become: false };
}

export function fakeInventory(hosts: HostConfig[]): Inventory {
  const groups: Record<string, string[]> = { all: hosts.map((h) => h.name) };
  for (const h of hosts) for (const g of h.groups) if (g !== 'all') (groups[g] ??= []).push(h.name);
  return { env: 'test', file: 'inventory.ts', hosts, groups, vars: {} };
}

export const fakeState: StateDir = {
  root: '/nonexistent',
  path: (...parts) => ['/nonexistent', ...parts].join('/'),
  secret: async () => ({ value: 's', path: '/nonexistent/secret' }),
};

/** A module whose plan is `changes` and whose apply records itself (or throws `fail`). */
export function fakeModule(subject: string, changes: string[], applied: string[], fail?: Error): Module<null> {
  return {
    kind: 'fake',
    subject,
    async gather(conn) {
      await conn.exec(['probe', subject]);
      return null;
    },
    plan: () => ({ changes: changes.map((what) => ({ what })), diff: changes.length ? `--- a\n+++ b\n@@ -1 +1 @@\n-old\n+${subject}\n` : undefined }),
    async apply(conn) {
      if (fail) throw fail;
      applied.push(`${conn.hostName}:${subject}`);
    },
  };
}

export function connections() {
  const made = new Map<string, FakeConnection>();
  return {
    made,
    connect: async (host: HostConfig) => {
      const c = new FakeConnection(host.name);
      made.set(host.name, c);
      return c;
    },
  };
}
