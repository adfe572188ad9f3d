// Executes a plan in dependency order: key, groups, rules, tags, instances; then waits until
// every instance runs, has a public IP and answers ssh. Another run may race us: a duplicate
// key or group is re-read and adopted when it is ours, so both runs converge.
import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteKeyPairCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  ImportKeyPairCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import type { Ec2Api } from './client.ts';
import { Ec2Error, describeAwsError, isCode } from './errors.ts';
import type { InstanceFact } from './facts.ts';
import { GROUP_KEYS, keyMaterial, type Ec2Change, type Ec2Desired, type Ec2Plan } from './plan.ts';
import { resolveSource, toPermission, type GroupKey, type Rule } from './rules.ts';
import { isOwned, tagSpec } from './tags.ts';
import { waitForRunning, waitForSsh, type SshProbe, type Timing } from './wait.ts';

export interface ApplyContext {
  log: (message: string) => void;
  timing: Timing;
  probeSsh: SshProbe;
}

type ChangeOf<K extends Ec2Change['kind']> = Extract<Ec2Change, { kind: K }>;

/** Returns the instance of every slot, running, with a public IP, ssh answering. */
export async function applyEc2Plan(api: Ec2Api, plan: Ec2Plan, d: Ec2Desired, ctx: ApplyContext): Promise<InstanceFact[]> {
  const of = <K extends Ec2Change['kind']>(kind: K) => plan.changes.filter((c): c is ChangeOf<K> => c.kind === kind);

  for (const c of of('delete-key')) await api.send(new DeleteKeyPairCommand({ KeyPairId: c.keyPairId }));
  for (const c of of('import-key')) await importKey(api, c, d, ctx);

  const ids: Partial<Record<GroupKey, string>> = {};
  for (const k of GROUP_KEYS) if (plan.groups[k]) ids[k] = plan.groups[k]!.id;
  for (const c of of('create-group')) ids[c.group] = await createGroup(api, c, d, ctx);

  for (const c of of('revoke')) await revoke(api, c.groupId, c.rules);
  for (const c of of('authorize')) {
    const rules = c.rules.map((r) => ({ ...r, source: resolveSource(r.source, ids) }));
    await authorize(api, ids[c.group]!, rules);
    ctx.log(`authorized ${rules.length} rule(s) on ${c.group}`);
  }
  for (const c of of('tag')) await api.send(new CreateTagsCommand({ Resources: [c.resourceId], Tags: c.tags }));
  for (const c of of('start-instances')) await api.send(new StartInstancesCommand({ InstanceIds: c.instanceIds }));

  const launched = await settleAll(of('run-instance').map((c) => runInstance(api, c, d, ids)));
  for (const id of launched) ctx.log(`launched ${id}`);

  const waitIds = [...Object.values(plan.instances).filter((i) => i.state !== 'stopping').map((i) => i.id), ...launched];
  const running = await waitForRunning(api, waitIds, ctx.timing, ctx.log);
  await waitForSsh(running.map((i) => ({ name: i.name ?? i.id, address: i.publicIp! })), ctx.probeSsh, ctx.timing, ctx.log);
  return running;
}

/** Run launches side by side, but report a failure only after all have settled (none is left untracked). */
async function settleAll<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function importKey(api: Ec2Api, c: ChangeOf<'import-key'>, d: Ec2Desired, ctx: ApplyContext): Promise<void> {
  if (!c.publicKey) throw new Error(`import key pair ${c.keyName}: no public key (plan made under --check?)`);
  try {
    await api.send(
      new ImportKeyPairCommand({
        KeyName: c.keyName,
        PublicKeyMaterial: Buffer.from(c.publicKey),
        TagSpecifications: [tagSpec('key-pair', c.tags)],
      }),
    );
    ctx.log(`imported key pair ${c.keyName}`);
  } catch (err) {
    if (!isCode(err, 'InvalidKeyPair.Duplicate')) throw err;
    const out = await api.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [c.keyName] }], IncludePublicKey: true }));
    const found = out.KeyPairs?.[0];
    if (!found) throw describeAwsError(err, 'ImportKeyPair', api.region);
    if (keyMaterial(found.PublicKey) !== keyMaterial(c.publicKey)) {
      throw new Ec2Error(
        `ImportKeyPair: key pair ${c.keyName} already exists in ${api.region} with a different public key; ` +
          `set provider.keyName in inventory.ts to another name, or delete that key pair if it is stale`,
        'InvalidKeyPair.Duplicate',
        'ImportKeyPair',
        { cause: err },
      );
    }
    // Same key material: a parallel run imported it, or an earlier run's tags were lost. Adopt it.
    if (!isOwned(found.Tags, d.owner)) await api.send(new CreateTagsCommand({ Resources: [found.KeyPairId!], Tags: c.tags }));
    ctx.log(`key pair ${c.keyName} already present (created concurrently): reused`);
  }
}

async function createGroup(api: Ec2Api, c: ChangeOf<'create-group'>, d: Ec2Desired, ctx: ApplyContext): Promise<string> {
  try {
    const out = await api.send(
      new CreateSecurityGroupCommand({
        GroupName: c.groupName,
        Description: c.description,
        TagSpecifications: [tagSpec('security-group', c.tags)],
      }),
    );
    ctx.log(`created security group ${c.groupName} (${out.GroupId})`);
    return out.GroupId!;
  } catch (err) {
    if (!isCode(err, 'InvalidGroup.Duplicate')) throw err;
    const out = await api.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [c.groupName] }] }));
    const found = out.SecurityGroups?.[0];
    if (!found?.GroupId) throw describeAwsError(err, 'CreateSecurityGroup', api.region);
    if (!isOwned(found.Tags, d.owner)) {
      // Adopting it would let teardown delete a group someone else made: refuse instead.
      throw new Ec2Error(
        `CreateSecurityGroup: a security group named ${c.groupName} (${found.GroupId}) already exists without this project's tags; ` +
          'rename or delete it, or use another project name (provider.project)',
        'InvalidGroup.Duplicate',
        'CreateSecurityGroup',
        { cause: err },
      );
    }
    ctx.log(`security group ${c.groupName} already present (created concurrently): reused`);
    return found.GroupId;
  }
}

async function authorize(api: Ec2Api, groupId: string, rules: Rule[]): Promise<void> {
  const send = (rs: Rule[]) => api.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rs.map(toPermission) }));
  try {
    await send(rules);
  } catch (err) {
    // The call is all-or-nothing: one rule added meanwhile by a parallel run fails them all.
    if (!isCode(err, 'InvalidPermission.Duplicate')) throw err;
    if (rules.length === 1) return;
    for (const r of rules) await authorize(api, groupId, [r]);
  }
}

async function revoke(api: Ec2Api, groupId: string, rules: Rule[]): Promise<void> {
  try {
    await api.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rules.map((r) => toPermission({ ...r, description: undefined })) }),
    );
  } catch (err) {
    if (!isCode(err, 'InvalidPermission.NotFound')) throw err;
  }
}

// Unique per run (a later run that must launch again gets a new one), at most 64 characters.
const RUN_ID = randomBytes(6).toString('hex');
export const launchToken = (d: Ec2Desired, slot: string): string => `${d.owner.project}-${d.owner.env}-${slot}-${RUN_ID}`.slice(0, 64);

async function runInstance(api: Ec2Api, c: ChangeOf<'run-instance'>, d: Ec2Desired, ids: Partial<Record<GroupKey, string>>): Promise<string> {
  const groups = [ids.hosts!];
  if (c.slot.role.includes('monitoring')) groups.push(ids.monitoring!);
  const out = await api.send(
    new RunInstancesCommand({
      ImageId: c.ami.id,
      InstanceType: d.instanceType as _InstanceType,
      MinCount: 1,
      MaxCount: 1,
      KeyName: d.keyName,
      SecurityGroupIds: groups,
      BlockDeviceMappings: [
        { DeviceName: c.ami.rootDeviceName, Ebs: { VolumeSize: d.rootVolumeGb, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: true } },
      ],
      // The SDK retries a launch whose answer was lost; the same token makes AWS return the
      // first instance instead of starting a second one.
      ClientToken: launchToken(d, c.slot.name),
      // IMDSv2 only: a server-side request forgery in the app cannot read instance credentials.
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      TagSpecifications: [tagSpec('instance', c.tags), tagSpec('volume', c.tags)],
    }),
  );
  const id = out.Instances?.[0]?.InstanceId;
  if (!id) throw new Ec2Error(`RunInstances: AWS returned no instance for ${c.slot.name}`, 'NoInstance', 'RunInstances');
  return id;
}
