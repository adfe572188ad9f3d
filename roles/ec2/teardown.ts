// Teardown deletes only what carries this project's AND env's tags, checked twice: by the
// describe filters and again here, so a filter mistake can never reach someone else's resources.
import {
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Ec2Api } from './client.ts';
import { Ec2Error, isCode } from './errors.ts';
import { describeGroups, describeInstances, describeKeyPairs, type GroupFact, type InstanceFact, type KeyFact } from './facts.ts';
import { formatRule, toPermission } from './rules.ts';
import { isOwned, ownerFilters, type Owner } from './tags.ts';
import { withBackoff, type Timing } from './wait.ts';

export interface TeardownTargets {
  owner: Owner;
  region: string;
  instances: InstanceFact[];
  groups: GroupFact[];
  keyPairs: KeyFact[];
}

export async function findTeardownTargets(api: Ec2Api, owner: Owner): Promise<TeardownTargets> {
  const filters = ownerFilters(owner);
  const [instances, groups, keyPairs] = await Promise.all([
    describeInstances(api, [...filters, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] }]),
    describeGroups(api, filters),
    describeKeyPairs(api, filters),
  ]);
  return {
    owner,
    region: api.region,
    instances: instances.filter((i) => isOwned(i.tags, owner) && i.state !== 'terminated'),
    groups: groups.filter((g) => isOwned(g.tags, owner)),
    keyPairs: keyPairs.filter((k) => isOwned(k.tags, owner)),
  };
}

export function isEmpty(t: TeardownTargets): boolean {
  return t.instances.length + t.groups.length + t.keyPairs.length === 0;
}

/** What will be deleted, for the confirmation prompt. */
export function describeTeardown(t: TeardownTargets): string {
  const lines = [`In ${t.region}, tagged project=${t.owner.project} env=${t.owner.env}:`];
  if (isEmpty(t)) return `${lines[0]} nothing to delete.`;
  for (const i of t.instances) lines.push(`  terminate instance ${i.name ?? '?'} ${i.id} (${i.state}${i.publicIp ? `, ${i.publicIp}` : ''})`);
  for (const g of t.groups) lines.push(`  delete security group ${g.name} ${g.id}`);
  for (const k of t.keyPairs) lines.push(`  delete key pair ${k.name}${k.id ? ` ${k.id}` : ''}`);
  return lines.join('\n');
}

export async function teardownEc2(api: Ec2Api, t: TeardownTargets, ctx: { log: (m: string) => void; timing: Timing }): Promise<void> {
  const ids = t.instances.map((i) => i.id);
  const live = t.instances.filter((i) => i.state !== 'shutting-down').map((i) => i.id);
  if (live.length) {
    await api.send(new TerminateInstancesCommand({ InstanceIds: live }));
    ctx.log(`terminating ${live.length} instance(s)`);
  }
  if (ids.length) await waitForTerminated(api, ids, ctx);

  // Our groups reference each other (9100 from 'monitoring'): a referenced group cannot be deleted.
  const ourGroupIds = new Set(t.groups.map((g) => g.id));
  for (const g of t.groups) {
    const refs = g.rules.filter((r) => 'groupId' in r.source && ourGroupIds.has(r.source.groupId));
    if (!refs.length) continue;
    try {
      await api.send(new RevokeSecurityGroupIngressCommand({ GroupId: g.id, IpPermissions: refs.map((r) => toPermission({ ...r, description: undefined })) }));
    } catch (err) {
      if (!isCode(err, 'InvalidPermission.NotFound', 'InvalidGroup.NotFound')) throw err;
    }
    ctx.log(`revoked ${refs.map((r) => formatRule(r)).join(', ')} from ${g.name}`);
  }
  for (const g of t.groups) await deleteGroup(api, g, ctx);
  for (const k of t.keyPairs) {
    await api.send(new DeleteKeyPairCommand(k.id ? { KeyPairId: k.id } : { KeyName: k.name }));
    ctx.log(`deleted key pair ${k.name}`);
  }
}

async function waitForTerminated(api: Ec2Api, ids: string[], ctx: { log: (m: string) => void; timing: Timing }): Promise<void> {
  await withBackoff(
    ctx.timing,
    async () => {
      const now = await describeInstances(api, undefined, ids);
      const left = now.filter((i) => i.state !== 'terminated');
      if (left.length === 0) return true;
      ctx.log(`waiting for ${left.length} instance(s) to terminate`);
      return undefined;
    },
    () => new Ec2Error(`instances not terminated after ${ctx.timing.timeoutMs / 1000} s: rerun teardown`, 'WaitTimeout', 'TerminateInstances'),
  );
}

/** Network interfaces of terminated instances are released a little later: DependencyViolation until then. */
async function deleteGroup(api: Ec2Api, g: GroupFact, ctx: { log: (m: string) => void; timing: Timing }): Promise<void> {
  let lastErr: unknown;
  await withBackoff(
    ctx.timing,
    async () => {
      try {
        await api.send(new DeleteSecurityGroupCommand({ GroupId: g.id }));
        ctx.log(`deleted security group ${g.name}`);
        return true;
      } catch (err) {
        if (isCode(err, 'InvalidGroup.NotFound')) return true;
        if (!isCode(err, 'DependencyViolation')) throw err;
        lastErr = err;
        ctx.log(`security group ${g.name} still in use, retrying`);
        return undefined;
      }
    },
    () =>
      new Ec2Error(
        `security group ${g.name} (${g.id}) is still in use after ${ctx.timing.timeoutMs / 1000} s ` +
          `(another instance or interface uses it?): ${(lastErr as Error)?.message ?? ''}`,
        'DependencyViolation',
        'DeleteSecurityGroup',
      ),
  );
}
