// npx zx playbooks/teardown.ts [--env aws] [--yes] [--region eu-west-1]
// Deletes the instances, security groups and key pair carrying this project's tags, after confirmation.
import { createInterface } from 'node:readline/promises';
import { FlagError, helpText, parseFlags, scriptArgs, type FlagSpec } from '../lib/cli/flags.ts';
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

const EXTRA: FlagSpec[] = [{ name: 'region', type: 'string', value: 'REGION', description: 'AWS region (default: $AWS_REGION)' }];
const USAGE = `Usage: npx zx playbooks/teardown.ts [--env aws] [--yes] [--region REGION]

Terminates the instances and deletes the security groups and key pair tagged
cloudnova:project=$CLOUDNOVA_PROJECT (default cloudnova) and cloudnova:env=<env>. Nothing untagged is touched.`;

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const flags = parseFlags(scriptArgs(), EXTRA);
  if (flags.help) {
    process.stdout.write(helpText(USAGE, EXTRA));
    return 0;
  }
  const env = flags.env ?? 'aws';
  if (env === 'lab') throw new FlagError('--env lab: the lab is removed with `npx zx playbooks/lab.ts down`');
  // lib/inventory/load.ts is not there yet: the provider settings come from flags and the environment.
  const region = (flags.values.region as string | undefined) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new FlagError('no AWS region: pass --region eu-west-1 or export AWS_REGION');
  const config = parseEc2Config({ kind: 'ec2', region, project: process.env.CLOUDNOVA_PROJECT }, { file: 'playbooks/teardown.ts', field: 'flags', env });

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
  console.log(`teardown: done in ${Math.round((Date.now() - started) / 1000)} s`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = err instanceof FlagError ? 2 : 1;
}
