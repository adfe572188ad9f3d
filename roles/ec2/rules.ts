// Security group ingress as flat, comparable rules. AWS groups several sources under one
// IpPermission; reconciling "exactly these rules" needs one rule per (protocol, ports, source).
import type { IpPermission } from '@aws-sdk/client-ec2';

/** Our two groups: every instance is in 'hosts'; monitoring hosts are also in 'monitoring'. */
export type GroupKey = 'hosts' | 'monitoring';

export type Source =
  | { cidr: string }
  | { cidr6: string }
  /** A group by id, or ours by key when it does not exist yet (resolved at apply). */
  | { groupId: string }
  | { group: GroupKey }
  | { prefixList: string };

export interface Rule {
  protocol: string;
  fromPort: number;
  toPort: number;
  source: Source;
  /** Shown in the console and --diff; not compared. */
  description?: string;
}

const PROTOCOLS: Record<string, string> = { '-1': 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

export function normalizeProtocol(p: string | undefined): string {
  const lower = (p ?? '-1').toLowerCase();
  return PROTOCOLS[lower] ?? lower;
}

/** Every (protocol, port range, source) of a group's IpPermissions. */
export function flattenPermissions(perms: IpPermission[] | undefined): Rule[] {
  const rules: Rule[] = [];
  for (const p of perms ?? []) {
    const protocol = normalizeProtocol(p.IpProtocol);
    const fromPort = p.FromPort ?? -1;
    const toPort = p.ToPort ?? -1;
    const add = (source: Source, description?: string) =>
      rules.push(description ? { protocol, fromPort, toPort, source, description } : { protocol, fromPort, toPort, source });
    for (const r of p.IpRanges ?? []) if (r.CidrIp) add({ cidr: r.CidrIp }, r.Description);
    for (const r of p.Ipv6Ranges ?? []) if (r.CidrIpv6) add({ cidr6: r.CidrIpv6 }, r.Description);
    for (const r of p.UserIdGroupPairs ?? []) if (r.GroupId) add({ groupId: r.GroupId }, r.Description);
    for (const r of p.PrefixListIds ?? []) if (r.PrefixListId) add({ prefixList: r.PrefixListId }, r.Description);
  }
  return rules;
}

/** Replace our group keys by ids once known; unknown keys stay symbolic. */
export function resolveSource(source: Source, ids: Partial<Record<GroupKey, string>>): Source {
  if ('group' in source && ids[source.group]) return { groupId: ids[source.group]! };
  return source;
}

export function ruleKey(r: Rule): string {
  const s = r.source;
  const src = 'cidr' in s ? s.cidr : 'cidr6' in s ? s.cidr6 : 'groupId' in s ? s.groupId : 'group' in s ? `group:${s.group}` : s.prefixList;
  return `${r.protocol}|${r.fromPort}|${r.toPort}|${src}`;
}

/** For --diff: 'tcp 9100 sg-0abc (monitoring)', 'tcp 22 203.0.113.7/32'. */
export function formatRule(r: Rule, names: Record<string, string> = {}): string {
  const ports = r.protocol === 'all' ? 'all ports' : r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`;
  const s = r.source;
  let src: string;
  if ('cidr' in s) src = s.cidr;
  else if ('cidr6' in s) src = s.cidr6;
  else if ('prefixList' in s) src = s.prefixList;
  else if ('group' in s) src = `${names[s.group] ?? s.group} [new group]`;
  else src = names[s.groupId] ? `${s.groupId} (${names[s.groupId]})` : s.groupId;
  return `${r.protocol} ${ports} ${src}`;
}

/** The IpPermission AWS expects for one rule; group keys must be resolved first. */
export function toPermission(r: Rule): IpPermission {
  const perm: IpPermission = { IpProtocol: r.protocol === 'all' ? '-1' : r.protocol };
  if (r.protocol !== 'all') {
    perm.FromPort = r.fromPort;
    perm.ToPort = r.toPort;
  }
  const s = r.source;
  const Description = r.description;
  if ('cidr' in s) perm.IpRanges = [{ CidrIp: s.cidr, Description }];
  else if ('cidr6' in s) perm.Ipv6Ranges = [{ CidrIpv6: s.cidr6, Description }];
  else if ('groupId' in s) perm.UserIdGroupPairs = [{ GroupId: s.groupId, Description }];
  else if ('prefixList' in s) perm.PrefixListIds = [{ PrefixListId: s.prefixList, Description }];
  else throw new Error(`rule ${formatRule(r)}: group '${s.group}' has no id yet`);
  return perm;
}
