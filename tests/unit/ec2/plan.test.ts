// planEc2 is pure: facts in, changes and diff out. No mock, no client.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Ec2Facts, GroupFact, InstanceFact } from '../../../roles/ec2/facts.ts';
import { planEc2, type Ec2Desired } from '../../../roles/ec2/plan.ts';
import { resourceTags } from '../../../roles/ec2/tags.ts';

const owner = { project: 'cloudnova', env: 'aws' };
const PUB = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKeyForTests cloudnova-operator';
const desired: Ec2Desired = {
  owner,
  keyName: 'cloudnova-aws',
  publicKey: PUB,
  instanceType: 't3.small',
  rootVolumeGb: 20,
  slots: [
    { name: 'web-1', role: 'web' },
    { name: 'monitoring-1', role: 'monitoring' },
  ],
  operatorCidr: '203.0.113.7/32',
};
const ami = { id: 'ami-0123456789abcdef0', name: 'ubuntu-noble', rootDeviceName: '/dev/sda1' };

const tcp = (port: number, source: GroupFact['rules'][number]['source']) => ({ protocol: 'tcp', fromPort: port, toPort: port, source });
function group(key: 'hosts' | 'monitoring', id: string, rules: GroupFact['rules']): GroupFact {
  return { id, name: `cloudnova-aws-${key}`, key, rules, tags: resourceTags(owner, key) };
}
function instance(name: string, role: string, over: Partial<InstanceFact> = {}): InstanceFact {
  return {
    id: `i-${name}`,
    name,
    role,
    state: 'running',
    publicIp: '198.51.100.1',
    privateIp: '172.31.0.1',
    instanceType: 't3.small',
    groupIds: [],
    tags: resourceTags(owner, name, role as 'web'),
    ...over,
  };
}
function converged(): Ec2Facts {
  return {
    keyPairs: [{ id: 'key-1', name: 'cloudnova-aws', publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKeyForTests cloudnova-aws', tags: resourceTags(owner, 'operator') }],
    groups: [
      group('hosts', 'sg-h', [tcp(22, { cidr: '203.0.113.7/32' }), tcp(80, { cidr: '0.0.0.0/0' }), tcp(443, { cidr: '0.0.0.0/0' }), tcp(9100, { groupId: 'sg-m' }), tcp(3000, { groupId: 'sg-m' })]),
      group('monitoring', 'sg-m', []),
    ],
    instances: [instance('web-1', 'web'), instance('monitoring-1', 'monitoring')],
  };
}

describe('planEc2', () => {
  test('from nothing: key, both groups, the rules, one launch per slot', () => {
    const plan = planEc2(desired, { keyPairs: [], groups: [], instances: [], ami });
    assert.deepEqual(plan.changes.map((c) => c.what), [
      'import key pair cloudnova-aws',
      'create security group cloudnova-aws-hosts',
      'authorize 5 rule(s) on cloudnova-aws-hosts',
      'create security group cloudnova-aws-monitoring',
      'launch web-1 (t3.small, ami-0123456789abcdef0)',
      'launch monitoring-1 (t3.small, ami-0123456789abcdef0)',
    ]);
    const auth = plan.changes.find((c) => c.kind === 'authorize')!;
    assert.ok(auth.kind === 'authorize');
    // The monitoring group does not exist yet: the rule points at it by key, resolved at apply.
    assert.deepEqual(auth.rules.map((r) => r.source), [{ cidr: '203.0.113.7/32' }, { cidr: '0.0.0.0/0' }, { cidr: '0.0.0.0/0' }, { group: 'monitoring' }, { group: 'monitoring' }]);
    assert.match(plan.diff, /^\+ tcp 9100 cloudnova-aws-monitoring \[new group\] \(node-exporter, scraped by monitoring\)$/m);
  });

  test('everything present: no changes (AWS comment on the key is ignored)', () => {
    const plan = planEc2(desired, converged());
    assert.deepEqual(plan.changes, []);
    assert.deepEqual(plan.warnings, []);
    assert.match(plan.diff, /^  tcp 9100 sg-m \(cloudnova-aws-monitoring\)/m);
  });

  test('drift: extra and widened rules revoked, missing added, diff says so', () => {
    const facts = converged();
    facts.groups[0]!.rules = [
      tcp(22, { cidr: '0.0.0.0/0' }),
      tcp(80, { cidr: '0.0.0.0/0' }),
      tcp(443, { cidr: '0.0.0.0/0' }),
      tcp(8080, { cidr: '0.0.0.0/0' }),
      tcp(9100, { cidr: '0.0.0.0/0' }),
      tcp(3000, { groupId: 'sg-m' }),
    ];
    facts.groups[1]!.rules = [{ protocol: 'all', fromPort: -1, toPort: -1, source: { cidr: '10.0.0.0/8' } }];
    const plan = planEc2(desired, facts);
    assert.deepEqual(
      plan.changes.map((c) => [c.kind, 'rules' in c ? c.rules.map((r) => `${r.fromPort} ${Object.values(r.source)[0]}`) : []]),
      [
        ['revoke', ['22 0.0.0.0/0', '8080 0.0.0.0/0', '9100 0.0.0.0/0']],
        ['authorize', ['22 203.0.113.7/32', '9100 sg-m']],
        ['revoke', ['-1 10.0.0.0/8']],
      ],
    );
    assert.match(plan.diff, /^- tcp 8080 0\.0\.0\.0\/0 \(extra rule, will be revoked\)$/m);
    assert.match(plan.diff, /^- tcp 9100 0\.0\.0\.0\/0 \(extra rule, will be revoked\)$/m);
    assert.match(plan.diff, /^- all all ports 10\.0\.0\.0\/8 \(extra rule, will be revoked\)$/m);
    assert.match(plan.diff, /^\+ tcp 22 203\.0\.113\.7\/32 \(ssh from the operator\)$/m);
  });

  test('an IPv6 operator address becomes an IPv6 range', () => {
    const plan = planEc2({ ...desired, operatorCidr: '2001:db8::7/128' }, { keyPairs: [], groups: [], instances: [], ami });
    const auth = plan.changes.find((c) => c.kind === 'authorize');
    assert.ok(auth?.kind === 'authorize');
    assert.deepEqual(auth.rules[0]!.source, { cidr6: '2001:db8::7/128' });
  });

  test('only missing instances are launched; extras and duplicates are shown, never terminated', () => {
    const facts = converged();
    facts.instances = [
      instance('web-1', 'web', { id: 'i-new', launchTime: new Date('2026-12-02') }),
      instance('web-1', 'web', { id: 'i-old', launchTime: new Date('2026-12-01') }),
      instance('web-2', 'web'),
    ];
    facts.ami = ami;
    const plan = planEc2(desired, facts);
    assert.deepEqual(plan.changes.map((c) => c.kind), ['run-instance']);
    assert.equal(plan.instances['web-1']!.id, 'i-old', 'the oldest twin is kept');
    assert.equal(plan.warnings.length, 2);
    assert.match(plan.warnings.join('\n'), /i-new is a duplicate of web-1 \(i-old\)/);
    assert.match(plan.warnings.join('\n'), /web-2 \(i-web-2\) is not in the inventory's count: left running/);
  });

  test('a different instance type is reported, not replaced', () => {
    const facts = converged();
    facts.instances[0] = instance('web-1', 'web', { instanceType: 't3.micro' });
    const plan = planEc2(desired, facts);
    assert.deepEqual(plan.changes, []);
    assert.match(plan.warnings[0]!, /web-1 is t3\.micro, inventory says t3\.small: not changed/);
  });

  test('a stopped instance is started; drifted tags are put back', () => {
    const facts = converged();
    facts.instances[0] = instance('web-1', 'web', { state: 'stopped', tags: resourceTags(owner, 'web-1', 'web').filter((t) => t.Key !== 'Name') });
    const plan = planEc2(desired, facts);
    assert.deepEqual(plan.changes.map((c) => c.what), ['tag web-1: Name=cloudnova-aws-web-1', 'start web-1']);
  });

  test('a key pair with other material is replaced, with a warning', () => {
    const facts = converged();
    facts.keyPairs[0]!.publicKey = 'ssh-ed25519 AAAAsomethingelse';
    const plan = planEc2(desired, facts);
    assert.deepEqual(plan.changes.map((c) => c.kind), ['delete-key', 'import-key']);
    assert.match(plan.warnings[0]!, /instances launched with the old key no longer accept the operator key/);
  });
});
