// Pure: desired fleet + facts -> the changes to make and a readable diff. No AWS calls,
// so --check and the tests exercise all of the deciding without credentials.
import type { Tag } from '@aws-sdk/client-ec2';
import type { Change, Plan } from '../../lib/core/types.ts';
import type { Slot } from './config.ts';
import type { AmiFact, Ec2Facts, GroupFact, InstanceFact } from './facts.ts';
import { formatRule, resolveSource, ruleKey, type GroupKey, type Rule } from './rules.ts';
import { resourceTags, type Owner } from './tags.ts';

export interface Ec2Desired {
  owner: Owner;
  keyName: string;
  /** OpenSSH public key line; undefined under --check when the local key is yet to be made. */
  publicKey?: string;
  instanceType: string;
  rootVolumeGb: number;
  slots: Slot[];
  operatorCidr: string;
}

export type Ec2Change = Change &
  (
    | { kind: 'import-key'; keyName: string; publicKey?: string; tags: Tag[] }
    | { kind: 'delete-key'; keyName: string; keyPairId: string }
    | { kind: 'create-group'; group: GroupKey; groupName: string; description: string; tags: Tag[] }
    | { kind: 'authorize'; group: GroupKey; rules: Rule[] }
    | { kind: 'revoke'; group: GroupKey; groupId: string; rules: Rule[] }
    | { kind: 'tag'; resourceId: string; tags: Tag[] }
    | { kind: 'start-instances'; instanceIds: string[] }
    | { kind: 'run-instance'; slot: Slot; ami: AmiFact; tags: Tag[] }
  );

export interface Ec2Plan extends Plan {
  changes: Ec2Change[];
  diff: string;
  /** Things seen but deliberately not changed (extra instances, type drift): shown, never destroyed here. */
  warnings: string[];
  /** The instance kept for each slot (oldest when duplicated). */
  instances: Record<string, InstanceFact>;
  /** Our groups found, by key. */
  groups: Partial<Record<GroupKey, GroupFact>>;
}

export const GROUP_KEYS: readonly GroupKey[] = ['hosts', 'monitoring'];

export function groupName(owner: Owner, key: GroupKey): string {
  return `${owner.project}-${owner.env}-${key}`;
}

/**
 * The exact ingress of each group. Every instance is in 'hosts'; the 'monitoring' group only
 * marks the monitoring host(s), so node-exporter and app metrics answer to them and no one else.
 */
export function desiredRules(d: Pick<Ec2Desired, 'operatorCidr'>): Record<GroupKey, Rule[]> {
  const tcp = (port: number, source: Rule['source'], description: string): Rule => ({
    protocol: 'tcp',
    fromPort: port,
    toPort: port,
    source,
    description,
  });
  const operator = d.operatorCidr.includes(':') ? { cidr6: d.operatorCidr } : { cidr: d.operatorCidr };
  return {
    hosts: [
      tcp(22, operator, 'ssh from the operator'),
      tcp(80, { cidr: '0.0.0.0/0' }, 'http'),
      tcp(443, { cidr: '0.0.0.0/0' }, 'https'),
      tcp(9100, { group: 'monitoring' }, 'node-exporter, scraped by monitoring'),
      tcp(3000, { group: 'monitoring' }, 'app metrics, scraped by monitoring'),
    ],
    monitoring: [],
  };
}

/** 'ssh-ed25519 AAAA… comment' -> 'ssh-ed25519 AAAA…': AWS may return its own comment. */
export function keyMaterial(line: string | undefined): string {
  return (line ?? '').trim().split(/\s+/).slice(0, 2).join(' ');
}

export function planEc2(d: Ec2Desired, facts: Ec2Facts): Ec2Plan {
  const changes: Ec2Change[] = [];
  const warnings: string[] = [];
  const diff: string[] = [];

  // ------------------------------------------------------------ key pair
  const key = facts.keyPairs.find((k) => k.name === d.keyName);
  const keyTags = resourceTags(d.owner, 'operator');
  diff.push(`key pair ${d.keyName}:`);
  if (!key) {
    changes.push({ kind: 'import-key', what: `import key pair ${d.keyName}`, keyName: d.keyName, publicKey: d.publicKey, tags: keyTags });
    diff.push(`+ import ${d.publicKey ? keyMaterial(d.publicKey).slice(0, 40) + '…' : 'the operator key (to be generated)'}`);
  } else if (keyMaterial(key.publicKey) !== keyMaterial(d.publicKey)) {
    // The local key changed (state folder lost): instances launched with the old key stay unreachable.
    changes.push({ kind: 'delete-key', what: `delete key pair ${d.keyName} (different public key)`, keyName: d.keyName, keyPairId: key.id ?? '' });
    changes.push({ kind: 'import-key', what: `import key pair ${d.keyName}`, keyName: d.keyName, publicKey: d.publicKey, tags: keyTags });
    diff.push(`~ replace: AWS holds a different public key than the local operator key`);
    warnings.push(`key pair ${d.keyName} is replaced: instances launched with the old key no longer accept the operator key`);
  } else {
    diff.push(`  ok (${key.id ?? d.keyName})`);
  }
  for (const k of facts.keyPairs) {
    if (k.name !== d.keyName) warnings.push(`key pair ${k.name} carries this project's tags but keyName is ${d.keyName}: left alone (teardown removes it)`);
  }

  // ------------------------------------------------------------ security groups
  const groups: Partial<Record<GroupKey, GroupFact>> = {};
  for (const g of facts.groups) if (g.key && !groups[g.key]) groups[g.key] = g;
  const ids: Partial<Record<GroupKey, string>> = {};
  const names: Record<string, string> = {};
  for (const k of GROUP_KEYS) {
    names[k] = groupName(d.owner, k);
    if (groups[k]) {
      ids[k] = groups[k]!.id;
      names[groups[k]!.id] = groups[k]!.name;
    }
  }
  const wanted = desiredRules(d);
  for (const k of GROUP_KEYS) {
    const g = groups[k];
    const want = wanted[k].map((r) => ({ ...r, source: resolveSource(r.source, ids) }));
    diff.push(`security group ${names[k]}${g ? ` (${g.id})` : ''}:`);
    if (!g) {
      changes.push({
        kind: 'create-group',
        what: `create security group ${names[k]}`,
        group: k,
        groupName: names[k]!,
        description: k === 'hosts' ? `${d.owner.project} ${d.owner.env}: every host` : `${d.owner.project} ${d.owner.env}: monitoring hosts (metrics sources)`,
        tags: resourceTags(d.owner, k),
      });
      diff.push('+ create');
    }
    const have = new Map((g?.rules ?? []).map((r) => [ruleKey(r), r]));
    const wantKeys = new Set(want.map(ruleKey));
    const missing = want.filter((r) => !have.has(ruleKey(r)));
    const extra = [...have.values()].filter((r) => !wantKeys.has(ruleKey(r)));
    for (const r of want) {
      diff.push(`${have.has(ruleKey(r)) ? ' ' : '+'} ${formatRule(r, names)}${r.description ? ` (${r.description})` : ''}`);
    }
    for (const r of extra) diff.push(`- ${formatRule(r, names)} (extra rule, will be revoked)`);
    if (extra.length) {
      changes.push({ kind: 'revoke', what: `revoke ${extra.length} extra rule(s) from ${names[k]}`, group: k, groupId: g!.id, rules: extra });
    }
    if (missing.length) {
      changes.push({ kind: 'authorize', what: `authorize ${missing.length} rule(s) on ${names[k]}`, group: k, rules: missing });
    }
    if (g) pushTagFix(changes, g.id, names[k]!, g.tags, resourceTags(d.owner, k));
  }

  // ------------------------------------------------------------ instances
  const instances: Record<string, InstanceFact> = {};
  const byName = new Map<string, InstanceFact[]>();
  for (const i of facts.instances) {
    const list = byName.get(i.name ?? '') ?? [];
    list.push(i);
    byName.set(i.name ?? '', list);
  }
  const slotNames = new Set(d.slots.map((s) => s.name));
  diff.push('instances:');
  const toStart: InstanceFact[] = [];
  for (const slot of d.slots) {
    // Two runs racing can launch twins; keep the oldest so every rerun picks the same one.
    const [kept, ...twins] = (byName.get(slot.name) ?? []).sort(
      (a, b) => (a.launchTime?.getTime() ?? 0) - (b.launchTime?.getTime() ?? 0) || a.id.localeCompare(b.id),
    );
    for (const t of twins) warnings.push(`instance ${t.id} is a duplicate of ${slot.name} (${kept!.id}): not used; terminate it by hand or run teardown`);
    const tags = resourceTags(d.owner, slot.name, slot.role);
    if (!kept) {
      if (!facts.ami) throw new Error(`planEc2: no AMI in facts but ${slot.name} must be launched`);
      changes.push({ kind: 'run-instance', what: `launch ${slot.name} (${d.instanceType}, ${facts.ami.id})`, slot, ami: facts.ami, tags });
      diff.push(`+ ${slot.name} ${slot.role} ${d.instanceType} ${facts.ami.id}${facts.ami.name ? ` (${facts.ami.name})` : ''} ${d.rootVolumeGb} GB`);
      continue;
    }
    instances[slot.name] = kept;
    if (kept.state === 'stopped') toStart.push(kept);
    if (kept.state === 'stopping') warnings.push(`instance ${slot.name} (${kept.id}) is stopping: rerun once it has stopped to start it`);
    diff.push(`${kept.state === 'stopped' ? '~' : ' '} ${slot.name} ${kept.id} ${kept.state}${kept.publicIp ? ` ${kept.publicIp}` : ''}${kept.state === 'stopped' ? ' (will be started)' : ''}`);
    if (kept.instanceType && kept.instanceType !== d.instanceType) {
      warnings.push(`instance ${slot.name} is ${kept.instanceType}, inventory says ${d.instanceType}: not changed (teardown and rerun to replace it)`);
    }
    pushTagFix(changes, kept.id, slot.name, kept.tags, tags);
  }
  if (toStart.length) {
    changes.push({ kind: 'start-instances', what: `start ${toStart.map((i) => i.name).join(', ')}`, instanceIds: toStart.map((i) => i.id) });
  }
  for (const i of facts.instances) {
    if (!slotNames.has(i.name ?? '')) {
      warnings.push(`instance ${i.name ?? '(no name tag)'} (${i.id}) is not in the inventory's count: left running; teardown or terminate it by hand`);
    }
  }
  for (const w of warnings) diff.push(`! ${w}`);
  return { changes, diff: diff.join('\n'), warnings, instances, groups };
}

/** Our tags on a resource found by them can still drift (Name edited in the console). */
function pushTagFix(changes: Ec2Change[], id: string, label: string, have: Tag[], want: Tag[]): void {
  const wrong = want.filter((t) => !have.some((h) => h.Key === t.Key && h.Value === t.Value));
  if (wrong.length) {
    changes.push({ kind: 'tag', what: `tag ${label}: ${wrong.map((t) => `${t.Key}=${t.Value}`).join(', ')}`, resourceId: id, tags: wrong });
  }
}
