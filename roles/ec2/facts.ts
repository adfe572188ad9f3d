// Everything the plan needs, in three parallel describe calls (plus one image lookup only
// when an instance must be launched). All found by tags, so reruns see what earlier runs made.
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  type Filter,
  type Image,
  type Instance,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { Ec2Api } from './client.ts';
import { Ec2Error } from './errors.ts';
import { flattenPermissions, type GroupKey, type Rule } from './rules.ts';
import { TAG, ownerFilters, tagValue, type Owner } from './tags.ts';
import type { Slot } from './config.ts';

export interface KeyFact {
  id?: string;
  name: string;
  publicKey?: string;
  tags: Tag[];
}

export interface GroupFact {
  id: string;
  name: string;
  /** Which of our groups it is, from its name tag. */
  key?: GroupKey;
  vpcId?: string;
  rules: Rule[];
  tags: Tag[];
}

export interface InstanceFact {
  id: string;
  /** The name tag ('web-1'): the host's name in the inventory. */
  name?: string;
  role?: string;
  state: string;
  publicIp?: string;
  privateIp?: string;
  publicDns?: string;
  instanceType?: string;
  imageId?: string;
  launchTime?: Date;
  groupIds: string[];
  stateReason?: string;
  tags: Tag[];
}

export interface AmiFact {
  id: string;
  name?: string;
  rootDeviceName: string;
}

export interface Ec2Facts {
  keyPairs: KeyFact[];
  groups: GroupFact[];
  instances: InstanceFact[];
  /** Present when an instance has to be launched. */
  ami?: AmiFact;
}

/** Canonical's account: only its images are trusted as "Ubuntu". */
export const CANONICAL_OWNER = '099720109477';
export const UBUNTU_NOBLE_NAME = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*';

// Terminated instances linger in describe results for about an hour; they are not ours any more.
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export interface FactsQuery {
  owner: Owner;
  slots: Slot[];
  ami?: string;
}

export async function gatherEc2Facts(api: Ec2Api, q: FactsQuery): Promise<Ec2Facts> {
  const filters = ownerFilters(q.owner);
  const [keyPairs, groups, instances] = await Promise.all([
    describeKeyPairs(api, filters),
    describeGroups(api, filters),
    describeInstances(api, [...filters, { Name: 'instance-state-name', Values: LIVE_STATES }]),
  ]);
  const names = new Set(instances.map((i) => i.name));
  const needAmi = q.slots.some((s) => !names.has(s.name));
  const ami = needAmi ? await findAmi(api, q.ami) : undefined;
  return { keyPairs, groups, instances, ami };
}

export async function describeKeyPairs(api: Ec2Api, filters: Filter[]): Promise<KeyFact[]> {
  // Filters (not KeyNames): a missing key is an empty list, not an InvalidKeyPair.NotFound error.
  const out = await api.send(new DescribeKeyPairsCommand({ Filters: filters, IncludePublicKey: true }));
  return (out.KeyPairs ?? []).map((k) => ({ id: k.KeyPairId, name: k.KeyName ?? '', publicKey: k.PublicKey, tags: k.Tags ?? [] }));
}

export async function describeGroups(api: Ec2Api, filters: Filter[]): Promise<GroupFact[]> {
  const groups: GroupFact[] = [];
  let NextToken: string | undefined;
  do {
    const out = await api.send(new DescribeSecurityGroupsCommand({ Filters: filters, NextToken }));
    for (const g of out.SecurityGroups ?? []) {
      const key = tagValue(g.Tags, TAG.name);
      groups.push({
        id: g.GroupId ?? '',
        name: g.GroupName ?? '',
        key: key === 'hosts' || key === 'monitoring' ? key : undefined,
        vpcId: g.VpcId,
        rules: flattenPermissions(g.IpPermissions),
        tags: g.Tags ?? [],
      });
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return groups;
}

export async function describeInstances(
  api: Ec2Api,
  filters: Filter[] | undefined,
  instanceIds?: string[],
): Promise<InstanceFact[]> {
  const found: InstanceFact[] = [];
  let NextToken: string | undefined;
  do {
    const out = await api.send(new DescribeInstancesCommand({ Filters: filters, InstanceIds: instanceIds, NextToken }));
    for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) found.push(instanceFact(i));
    NextToken = out.NextToken;
  } while (NextToken);
  return found;
}

function instanceFact(i: Instance): InstanceFact {
  return {
    id: i.InstanceId ?? '',
    name: tagValue(i.Tags, TAG.name),
    role: tagValue(i.Tags, TAG.role),
    state: i.State?.Name ?? 'unknown',
    publicIp: i.PublicIpAddress,
    privateIp: i.PrivateIpAddress,
    publicDns: i.PublicDnsName || undefined,
    instanceType: i.InstanceType,
    imageId: i.ImageId,
    launchTime: i.LaunchTime,
    groupIds: (i.SecurityGroups ?? []).map((g) => g.GroupId ?? ''),
    stateReason: i.StateReason?.Message,
    tags: i.Tags ?? [],
  };
}

/** The newest Canonical Ubuntu 24.04 amd64 gp3 image, or the configured override. */
export async function findAmi(api: Ec2Api, override?: string): Promise<AmiFact> {
  const out = await api.send(
    new DescribeImagesCommand(
      override
        ? { ImageIds: [override] }
        : {
            Owners: [CANONICAL_OWNER],
            Filters: [
              { Name: 'name', Values: [UBUNTU_NOBLE_NAME] },
              { Name: 'state', Values: ['available'] },
              { Name: 'architecture', Values: ['x86_64'] },
            ],
          },
    ),
  );
  const newest = (out.Images ?? [])
    .filter((i: Image) => i.ImageId)
    .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest) {
    const what = override ? `AMI ${override} was not found` : `no Ubuntu 24.04 image from Canonical (${CANONICAL_OWNER}) was found`;
    throw new Ec2Error(`DescribeImages: ${what} in ${api.region}; set provider.ami in inventory.ts to an AMI of this region`, 'AmiNotFound', 'DescribeImages');
  }
  // Ubuntu's images boot from /dev/sda1; an override may not, and the root volume size must target its device.
  return { id: newest.ImageId!, name: newest.Name, rootDeviceName: newest.RootDeviceName ?? '/dev/sda1' };
}
