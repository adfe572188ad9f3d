// `--env aws`: make sure the fleet exists (facts -> plan -> apply) and hand its hosts to the run.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { HostConfig, StateDir } from '../../lib/core/types.ts';
import { ec2Api, makeEc2Client } from './client.ts';
import { resolveOperatorCidr, type Ec2Config } from './config.ts';
import { applyEc2Plan } from './apply.ts';
import { gatherEc2Facts, type InstanceFact } from './facts.ts';
import { ensureOperatorKey } from '../../lib/connection/operator-key.ts';
import { planEc2, type Ec2Desired, type Ec2Plan } from './plan.ts';
import { ownerOf } from './tags.ts';
import { defaultTiming, probeSshBanner, type SshProbe, type Timing } from './wait.ts';

export interface ProvisionOptions {
  config: Ec2Config;
  /** Injected in tests (aws-sdk-client-mock); default: a client for config.region honouring AWS_ENDPOINT_URL. */
  client?: EC2Client;
  /** Plan only: nothing is created in AWS or in the state folder. */
  check: boolean;
  diff: boolean;
  log: (message: string) => void;
  state: StateDir;
  probeSsh?: SshProbe;
  timing?: Partial<Timing>;
  /** For operator CIDR detection (CLOUDNOVA_OPERATOR_CIDR). */
  environ?: NodeJS.ProcessEnv;
  fetchIp?: () => Promise<string>;
}

export interface ProvisionResult {
  /** Every instance of the fleet as an inventory host (under --check: those that already exist). */
  hosts: HostConfig[];
  plan: Ec2Plan;
  changed: boolean;
}

export async function provisionEc2(opts: ProvisionOptions): Promise<ProvisionResult> {
  const { config, log } = opts;
  const key = await ensureOperatorKey(opts.state, { create: !opts.check });
  if (key.created) log(`operator key created: ${key.privateKeyPath}`);
  const operatorCidr = await resolveOperatorCidr(config, { environ: opts.environ, fetchIp: opts.fetchIp, log });

  const desired: Ec2Desired = {
    owner: ownerOf(config),
    keyName: config.keyName,
    publicKey: key.publicKey,
    instanceType: config.instanceType,
    rootVolumeGb: config.rootVolumeGb,
    slots: config.slots,
    operatorCidr,
  };
  const api = ec2Api(opts.client ?? makeEc2Client(config.region, opts.environ), config.region);
  const facts = await gatherEc2Facts(api, { owner: desired.owner, slots: config.slots, ami: config.ami });
  const plan = planEc2(desired, facts);
  for (const w of plan.warnings) log(`warning: ${w}`);
  if (opts.diff) log(plan.diff);

  if (opts.check) {
    const existing = Object.values(plan.instances).filter((i) => i.publicIp);
    return { hosts: existing.map((i) => hostFromInstance(i, config, key.privateKeyPath)), plan, changed: plan.changes.length > 0 };
  }
  const timing = { ...defaultTiming, ...opts.timing };
  const running = await applyEc2Plan(api, plan, desired, { log, timing, probeSsh: opts.probeSsh ?? probeSshBanner });
  const order = new Map(config.slots.map((s, i) => [s.name, i]));
  running.sort((a, b) => (order.get(a.name ?? '') ?? 99) - (order.get(b.name ?? '') ?? 99));
  return { hosts: running.map((i) => hostFromInstance(i, config, key.privateKeyPath)), plan, changed: plan.changes.length > 0 };
}

/** Groups come from the role tag ('web,monitoring' -> both), so the inventory follows what AWS holds. */
export function hostFromInstance(i: InstanceFact, config: Ec2Config, privateKeyPath: string): HostConfig {
  const groups = (i.role ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  return {
    name: i.name ?? i.id,
    address: i.publicIp ?? '',
    port: 22,
    user: config.sshUser,
    privateKeyPath,
    privateAddress: i.privateIp,
    publicNames: [i.publicIp, i.publicDns].filter((x): x is string => !!x),
    groups,
    vars: { ec2: { instanceId: i.id, instanceType: i.instanceType, region: config.region } },
    become: true,
  };
}

/** group -> host names, with 'all', for Inventory.groups. */
export function groupsOfHosts(hosts: HostConfig[]): Record<string, string[]> {
  const groups: Record<string, string[]> = { all: hosts.map((h) => h.name) };
  for (const h of hosts) for (const g of h.groups) (groups[g] ??= []).push(h.name);
  return groups;
}
