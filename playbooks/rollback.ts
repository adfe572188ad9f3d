#!/usr/bin/env zx
// Put every selected host back on the release before its current one, then verify.
//   npx zx playbooks/rollback.ts [--limit HOSTS] [--env aws]
import { runPlaybookCli } from '../lib/runner/main.ts';
import { provisionHosts } from './support/provision.ts';
import { rollbackRole } from '../roles/rollback/index.ts';
import { verifyRole } from '../roles/verify/index.ts';

await runPlaybookCli({
  describe: 'Restore the previous release of the stack on each host (compose file and images), then verify it.',
  // The hosts must exist already: the lab is read, EC2 instances are found by their tags.
  prepare: (inventory, options, state) => provisionHosts(inventory, { ...options, check: true }, state),
  plays: () => [
    { name: 'rollback', hosts: ['all'], roles: [rollbackRole] },
    { name: 'verify', hosts: ['all'], roles: [verifyRole] },
  ],
});
