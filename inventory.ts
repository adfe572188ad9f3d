// Where CloudNova deploys. Pick an environment with --env (or CLOUDNOVA_ENV);
// `lab` is the default. Vars merge: vars below < environment vars < group vars
// (in the order the groups are written) < host vars. See lib/inventory/define.ts.
import { defineInventory } from './lib/inventory/define.ts';

export default defineInventory({
  defaultEnv: 'lab',
  // Stack vars for every environment (role defaults live in roles/*/vars.ts).
  vars: {},
  environments: {
    // Local containers with sshd on this machine (npx zx playbooks/lab.ts up|status|down). The lab creates
    // the hosts named here; ssh/http/https are published on 127.0.0.1 only.
    lab: {
      provider: { kind: 'lab', name: 'lab' },
      groups: {
        web: { hosts: ['lab-1', 'lab-2'] },
        monitoring: { hosts: ['lab-1'] },
      },
      vars: {
        // No registry here: images are built on this machine from Debian packages and
        // pushed over SSH. Grafana has no offline image: its files are still rendered
        // and checked, and verify runs its dashboards' queries against Prometheus.
        images: { offline: true, grafana: null },
        grafana: { enabled: false },
        app: { seedDemoUsers: true },
      },
    },

    // EC2 in Paris: one host that is both web and monitoring.
    aws: {
      provider: {
        kind: 'ec2',
        region: 'eu-west-3',
        instanceType: 't3.small',
        rootVolumeGb: 16,
        count: { 'web,monitoring': 1 },
      },
      groups: {
        web: {},
        monitoring: {},
      },
      // The app image is built here and pushed over SSH; nginx, Prometheus, Alertmanager,
      // node-exporter and Grafana are pulled from Docker Hub at their pinned tags
      // (roles/compose/vars.ts). Set images.offline: true for hosts without a registry.
      vars: {},
    },

    // Your own servers: replace the example addresses (documentation range) and keys.
    own: {
      hosts: {
        web1: {
          address: '192.0.2.10',
          user: 'admin',
          privateKey: '~/.ssh/id_ed25519',
          privateAddress: '10.0.0.10',
        },
        web2: {
          address: '10.0.0.11',
          privateAddress: '10.0.0.11',
          user: 'admin',
          privateKey: '~/.ssh/id_ed25519',
          // Reached through web1 (ssh2 forwardOut), like ProxyJump.
          jump: { address: '192.0.2.10', user: 'admin' },
        },
      },
      groups: {
        web: { hosts: ['web1', 'web2'] },
        monitoring: { hosts: ['web1'] },
      },
      vars: {},
    },
  },
});
