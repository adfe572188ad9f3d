// An in-memory EC2 behind aws-sdk-client-mock: enough of describe/create/delete semantics
// (tag filters, states moving on, dependency violations) to run provision and teardown end to end.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  EC2ServiceException,
  ImportKeyPairCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  TerminateInstancesCommand,
  type Filter,
  type Image,
  type Instance,
  type IpPermission,
  type KeyPairInfo,
  type SecurityGroup,
  type Tag,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { StateDir } from '../../../lib/core/types.ts';
import { flattenPermissions, ruleKey, toPermission } from '../../../roles/ec2/rules.ts';

export function awsError(code: string, message = code): EC2ServiceException {
  return new EC2ServiceException({ name: code, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

export const WRITE_COMMANDS = new Set([
  'ImportKeyPairCommand',
  'DeleteKeyPairCommand',
  'CreateSecurityGroupCommand',
  'DeleteSecurityGroupCommand',
  'AuthorizeSecurityGroupIngressCommand',
  'RevokeSecurityGroupIngressCommand',
  'CreateTagsCommand',
  'RunInstancesCommand',
  'StartInstancesCommand',
  'TerminateInstancesCommand',
]);

export const UBUNTU_IMAGES: Image[] = [
  { ImageId: 'ami-0old0000000000000', Name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250101', CreationDate: '2025-01-01T00:00:00.000Z', RootDeviceName: '/dev/sda1' },
  { ImageId: 'ami-0new0000000000000', Name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101', CreationDate: '2026-11-01T00:00:00.000Z', RootDeviceName: '/dev/sda1' },
];

function tagsFrom(specs: TagSpecification[] | undefined, type: string): Tag[] {
  return specs?.find((s) => s.ResourceType === type)?.Tags?.map((t) => ({ ...t })) ?? [];
}

export class FakeEc2 {
  readonly mock = mockClient(EC2Client);
  readonly client = new EC2Client({ region: 'eu-west-1' });
  keyPairs: KeyPairInfo[] = [];
  groups: SecurityGroup[] = [];
  instances: Instance[] = [];
  images: Image[] = [...UBUNTU_IMAGES];
  /** Simulates a filter that matched too much: describes return everything. */
  ignoreFilters = false;
  /** Called before a command is handled; may throw to inject an error. */
  before: (command: string, input: any) => void = () => {};
  /** DeleteSecurityGroup answers DependencyViolation this many more times (ENIs released late). */
  lingeringInterfaces = 0;
  private seq = 0;

  constructor() {
    const on = <I, O>(cmd: any, name: string, fn: (input: I) => O) =>
      this.mock.on(cmd).callsFake(async (input: I) => {
        this.before(name, input);
        return structuredClone(fn(input));
      });
    on(DescribeKeyPairsCommand, 'DescribeKeyPairs', (i: any) => ({
      KeyPairs: this.keyPairs.filter((k) => this.match(i.Filters, k.Tags, { 'key-name': k.KeyName })).map((k) => (i.IncludePublicKey ? k : { ...k, PublicKey: undefined })),
    }));
    on(DescribeSecurityGroupsCommand, 'DescribeSecurityGroups', (i: any) => ({
      SecurityGroups: this.groups.filter((g) => this.match(i.Filters, g.Tags, { 'group-name': g.GroupName })),
    }));
    on(DescribeInstancesCommand, 'DescribeInstances', (i: any) => this.describeInstances(i));
    on(DescribeImagesCommand, 'DescribeImages', (i: any) => ({
      Images: i.ImageIds ? this.images.filter((x) => i.ImageIds.includes(x.ImageId)) : this.images,
    }));
    on(ImportKeyPairCommand, 'ImportKeyPair', (i: any) => {
      if (this.keyPairs.some((k) => k.KeyName === i.KeyName)) throw awsError('InvalidKeyPair.Duplicate', `The keypair '${i.KeyName}' already exists.`);
      const material = Buffer.from(i.PublicKeyMaterial).toString();
      const key = { KeyPairId: this.id('key'), KeyName: i.KeyName, KeyType: 'ed25519', PublicKey: material, Tags: tagsFrom(i.TagSpecifications, 'key-pair') } as KeyPairInfo;
      this.keyPairs.push(key);
      return { KeyPairId: key.KeyPairId, KeyName: key.KeyName };
    });
    on(DeleteKeyPairCommand, 'DeleteKeyPair', (i: any) => {
      this.keyPairs = this.keyPairs.filter((k) => k.KeyPairId !== i.KeyPairId && k.KeyName !== i.KeyName);
      return {};
    });
    on(CreateSecurityGroupCommand, 'CreateSecurityGroup', (i: any) => {
      if (this.groups.some((g) => g.GroupName === i.GroupName)) throw awsError('InvalidGroup.Duplicate', `The security group '${i.GroupName}' already exists for VPC 'vpc-1'`);
      const g: SecurityGroup = { GroupId: this.id('sg'), GroupName: i.GroupName, Description: i.Description, VpcId: 'vpc-1', IpPermissions: [], Tags: tagsFrom(i.TagSpecifications, 'security-group') };
      this.groups.push(g);
      return { GroupId: g.GroupId };
    });
    on(DeleteSecurityGroupCommand, 'DeleteSecurityGroup', (i: any) => {
      const inUse = this.instances.some((x) => x.State?.Name !== 'terminated' && x.SecurityGroups?.some((s) => s.GroupId === i.GroupId));
      const referenced = this.groups.some((g) => g.GroupId !== i.GroupId && g.IpPermissions?.some((p) => p.UserIdGroupPairs?.some((u) => u.GroupId === i.GroupId)));
      if (inUse || referenced || this.lingeringInterfaces-- > 0) throw awsError('DependencyViolation', `resource ${i.GroupId} has a dependent object`);
      if (!this.groups.some((g) => g.GroupId === i.GroupId)) throw awsError('InvalidGroup.NotFound');
      this.groups = this.groups.filter((g) => g.GroupId !== i.GroupId);
      return {};
    });
    on(AuthorizeSecurityGroupIngressCommand, 'AuthorizeSecurityGroupIngress', (i: any) => {
      const g = this.group(i.GroupId);
      const have = new Set(flattenPermissions(g.IpPermissions).map(ruleKey));
      const add = flattenPermissions(i.IpPermissions);
      if (add.some((r) => have.has(ruleKey(r)))) throw awsError('InvalidPermission.Duplicate', 'the specified rule already exists');
      g.IpPermissions = [...(g.IpPermissions ?? []), ...(i.IpPermissions as IpPermission[])];
      return { Return: true };
    });
    on(RevokeSecurityGroupIngressCommand, 'RevokeSecurityGroupIngress', (i: any) => {
      const g = this.group(i.GroupId);
      const drop = new Set(flattenPermissions(i.IpPermissions).map(ruleKey));
      g.IpPermissions = flattenPermissions(g.IpPermissions).filter((r) => !drop.has(ruleKey(r))).map(toPermission);
      return { Return: true };
    });
    on(CreateTagsCommand, 'CreateTags', (i: any) => {
      for (const id of i.Resources) {
        const r: { Tags?: Tag[] } | undefined =
          this.keyPairs.find((k) => k.KeyPairId === id) ?? this.groups.find((g) => g.GroupId === id) ?? this.instances.find((x) => x.InstanceId === id);
        if (!r) throw awsError('InvalidID', `unknown ${id}`);
        for (const t of i.Tags as Tag[]) r.Tags = [...(r.Tags ?? []).filter((x) => x.Key !== t.Key), t];
      }
      return {};
    });
    on(RunInstancesCommand, 'RunInstances', (i: any) => {
      const n = this.instances.length + 1;
      const inst: Instance = {
        InstanceId: this.id('i'),
        ImageId: i.ImageId,
        InstanceType: i.InstanceType,
        KeyName: i.KeyName,
        State: { Name: 'pending', Code: 0 },
        PrivateIpAddress: `172.31.0.${10 + n}`,
        LaunchTime: new Date(Date.UTC(2026, 11, 3, 12, n)),
        SecurityGroups: (i.SecurityGroupIds as string[]).map((id) => ({ GroupId: id, GroupName: this.group(id).GroupName })),
        Tags: tagsFrom(i.TagSpecifications, 'instance'),
      };
      this.instances.push(inst);
      return { Instances: [inst] };
    });
    on(StartInstancesCommand, 'StartInstances', (i: any) => {
      for (const id of i.InstanceIds) this.instance(id).State = { Name: 'pending', Code: 0 };
      return {};
    });
    on(TerminateInstancesCommand, 'TerminateInstances', (i: any) => {
      for (const id of i.InstanceIds) this.instance(id).State = { Name: 'shutting-down', Code: 32 };
      return {};
    });
  }

  /** A describe moves instances on one step, as time passing would. */
  private describeInstances(i: any) {
    const found = this.instances.filter((x) =>
      i.InstanceIds ? i.InstanceIds.includes(x.InstanceId) : this.match(i.Filters, x.Tags, { 'instance-state-name': x.State?.Name }),
    );
    const out = { Reservations: found.length ? [{ Instances: structuredClone(found) }] : [] };
    for (const x of found) {
      if (x.State?.Name === 'pending') {
        x.State = { Name: 'running', Code: 16 };
        x.PublicIpAddress = `198.51.100.${this.instances.indexOf(x) + 10}`;
      } else if (x.State?.Name === 'shutting-down') {
        x.State = { Name: 'terminated', Code: 48 };
        x.PublicIpAddress = undefined;
      }
    }
    return out;
  }

  private match(filters: Filter[] | undefined, tags: Tag[] | undefined, fields: Record<string, string | undefined>): boolean {
    if (this.ignoreFilters) return true;
    return (filters ?? []).every((f) => {
      const value = f.Name!.startsWith('tag:') ? tags?.find((t) => t.Key === f.Name!.slice(4))?.Value : fields[f.Name!];
      return value !== undefined && f.Values!.includes(value);
    });
  }

  private id(prefix: string): string {
    return `${prefix}-${(++this.seq).toString(16).padStart(8, '0')}`;
  }
  group(id: string): SecurityGroup {
    const g = this.groups.find((x) => x.GroupId === id);
    if (!g) throw awsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    return g;
  }
  instance(id: string): Instance {
    const x = this.instances.find((y) => y.InstanceId === id);
    if (!x) throw awsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return x;
  }

  /** Every call so far as [command name, input]. */
  calls(): [string, any][] {
    return this.mock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
  }
  writes(): [string, any][] {
    return this.calls().filter(([name]) => WRITE_COMMANDS.has(name));
  }
  restore(): void {
    this.mock.restore();
  }
}

/** A throwaway state folder with the StateDir contract. */
export function tempState(): StateDir {
  const root = mkdtempSync(join(tmpdir(), 'cloudnova-ec2-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  return {
    root,
    path: (...parts: string[]) => {
      const p = join(root, ...parts);
      mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
      return p;
    },
    secret: async () => {
      throw new Error('not used by the ec2 role');
    },
  };
}
