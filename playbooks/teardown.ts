// npx zx playbooks/teardown.ts [--env aws] [--yes] [--region eu-west-1]
// Deletes the instances, security groups and key pair carrying this project's tags, after confirmation.
import { createInterface } from 'node:readline/promises';
import { commonFlags, FlagError, helpText, parseFlags, scriptArgs, type FlagSpec } from '../lib/cli/flags.ts';
import { loadInventory } from '../lib/inventory/load.ts';
import { forgetHosts, knownHostsName } from '../lib/connection/known-hosts.ts';
import { openState } from '../lib/state.ts';
import { ConfigError } from '../lib/core/types.ts';
import {
  defaultTiming,
  describeTeardown,
  ec2Api,
  findTeardownTargets,
  isEmpty,
  makeEc2Client,
  parseEc2Config,
  teardownEc2,
} from '../roles/ec2/index.ts';

// Only the flags teardown acts on: --check, --limit, --tags... are refused (exit 2), never ignored, since
// a destructive command that silently skips --check deletes what the operator meant to preview.
const COMMON: FlagSpec[] = commonFlags('env', 'inventory', 'yes', 'help').map((f) =>
  f.name === 'env' ? { ...f, description: 'environment whose EC2 resources are deleted (default: aws; CLOUDNOVA_ENV is not read)' } : f,
);
const EXTRA: FlagSpec[] = [{ name: 'region', type: 'string', value: 'REGION', description: "AWS region (default: the environment's provider.region, then $AWS_REGION)" }];
const USAGE = `Usage: npx zx playbooks/teardown.ts [--env aws] [-i inventory.ts] [--yes] [--region REGION]

Terminates the instances and deletes the security groups and key pair tagged
cloudnova:project=$CLOUDNOVA_PROJECT (default cloudnova) and cloudnova:env=<env>
(default env: aws). Nothing untagged is touched. Without --yes it lists what it
would delete and asks first.`;

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const flags = parseFlags(scriptArgs(), EXTRA, COMMON);
  if (flags.help) {
    process.stdout.write(helpText(USAGE, EXTRA, COMMON));
    return 0;
  }
  const env = flags.env ?? 'aws';
  if (env === 'lab') throw new FlagError('--env lab: the lab is removed with `npx zx playbooks/lab.ts down`');
  // The environment's provider settings (region, project) come from the inventory; --region overrides.
  // Keys are not read: teardown never connects, and an env of static hosts must get the message below,
  // not a complaint about their private keys.
  const inventory = await loadInventory({ file: flags.inventory, env, checkKeys: false });
  if (inventory.provider?.kind !== 'ec2') {
    throw new FlagError(`--env ${env}: its hosts are not made by the ec2 provider (${inventory.file}); nothing to tear down here`);
  }
  const region = (flags.values.region as string | undefined) ?? (inventory.provider.region as string | undefined) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const raw = { ...inventory.provider, ...(region ? { region } : {}), ...(process.env.CLOUDNOVA_PROJECT ? { project: process.env.CLOUDNOVA_PROJECT } : {}) };
  const config = parseEc2Config(raw, { file: inventory.file, field: `environments.${env}.provider`, env });

  const api = ec2Api(makeEc2Client(config.region), config.region);
  const targets = await findTeardownTargets(api, { project: config.project, env: config.env });
  console.log(describeTeardown(targets));
  if (isEmpty(targets)) return 0;
  if (!flags.yes) {
    if (!process.stdin.isTTY) {
      console.error('teardown: not deleting: stdin is not a terminal, so nobody can confirm; rerun with --yes');
      return 1;
    }
    if (!(await confirm('Delete all of the above? [y/N] '))) {
      console.log('teardown: nothing deleted');
      return 1;
    }
  }
  const started = Date.now();
  await teardownEc2(api, targets, { log: (m) => console.log(`  ${m}`), timing: defaultTiming });
  // AWS hands released public IPs to other instances: their new host keys must not be refused.
  const released = targets.instances.flatMap((i) => (i.publicIp ? [knownHostsName(i.publicIp, 22)] : []));
  if (released.length) await forgetHosts((await openState()).path('ssh', 'known_hosts'), released);
  console.log(`teardown: done in ${Math.round((Date.now() - started) / 1000)} s`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = err instanceof FlagError || err instanceof ConfigError ? 2 : 1;
}
