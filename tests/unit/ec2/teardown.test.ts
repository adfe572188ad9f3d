import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ec2Api } from '../../../roles/ec2/client.ts';
import { parseEc2Config } from '../../../roles/ec2/config.ts';
import { provisionEc2 } from '../../../roles/ec2/provider.ts';
import { describeTeardown, findTeardownTargets, isEmpty, teardownEc2 } from '../../../roles/ec2/teardown.ts';
import type { Timing } from '../../../roles/ec2/wait.ts';
import { FakeEc2, tempState } from './fake-ec2.ts';

const owner = { project: 'cloudnova', env: 'aws' };
const timing: Timing = { sleep: async () => {}, timeoutMs: 60_000, firstDelayMs: 1000, maxDelayMs: 4000 };
const tag = (k: string, v: string) => ({ Key: k, Value: v });

let fake: FakeEc2;
beforeEach(async () => {
  fake = new FakeEc2();
  const config = parseEc2Config({ kind: 'ec2', region: 'eu-west-1' }, { file: 'inventory.ts', field: 'p', env: 'aws', environ: {} });
  await provisionEc2({
    config,
    client: fake.client,
    check: false,
    diff: false,
    log: () => {},
    state: tempState(),
    probeSsh: async () => true,
    timing,
    environ: { CLOUDNOVA_OPERATOR_CIDR: '203.0.113.7/32' },
  });
  // Neighbours that must survive: untagged, another env of the project, another project.
  fake.instances.push(
    { InstanceId: 'i-untagged', State: { Name: 'running' }, Tags: [tag('Name', 'cloudnova-aws-web-1')] },
    { InstanceId: 'i-staging', State: { Name: 'running' }, Tags: [tag('cloudnova:project', 'cloudnova'), tag('cloudnova:env', 'staging')] },
    { InstanceId: 'i-other', State: { Name: 'running' }, Tags: [tag('cloudnova:project', 'other'), tag('cloudnova:env', 'aws')] },
  );
  fake.groups.push({ GroupId: 'sg-untagged', GroupName: 'cloudnova-aws-legacy', IpPermissions: [], Tags: [] });
  fake.keyPairs.push({ KeyPairId: 'key-untagged', KeyName: 'cloudnova-aws-old', Tags: [tag('cloudnova:project', 'cloudnova')] });
  fake.mock.resetHistory();
});
afterEach(() => fake.restore());

const ours = () => ({
  instances: fake.instances.filter((i) => i.Tags?.some((t) => t.Key === 'cloudnova:name')).map((i) => i.InstanceId),
  groups: fake.groups.filter((g) => g.Tags?.length).map((g) => g.GroupId),
  keys: fake.keyPairs.filter((k) => k.Tags?.length === 4).map((k) => k.KeyPairId),
});

describe('teardown', () => {
  test('lists, then deletes only resources with the project and env tags', async () => {
    const api = ec2Api(fake.client, 'eu-west-1');
    const mine = ours();
    const targets = await findTeardownTargets(api, owner);
    const text = describeTeardown(targets);
    assert.match(text, /^In eu-west-1, tagged project=cloudnova env=aws:$/m);
    assert.match(text, /terminate instance web-1 i-\w+ \(running, 198\.51\.100\.10\)/);
    assert.match(text, /delete security group cloudnova-aws-hosts sg-\w+/);
    assert.match(text, /delete key pair cloudnova-aws key-\w+/);
    assert.doesNotMatch(text, /untagged|staging|other|legacy|-old/);

    const logs: string[] = [];
    await teardownEc2(api, targets, { log: (m) => logs.push(m), timing });

    const writes = fake.writes();
    assert.deepEqual(writes.find(([n]) => n === 'TerminateInstancesCommand')![1], { InstanceIds: mine.instances });
    assert.deepEqual(writes.filter(([n]) => n === 'DeleteSecurityGroupCommand').map(([, i]) => i.GroupId), mine.groups);
    assert.deepEqual(writes.filter(([n]) => n === 'DeleteKeyPairCommand').map(([, i]) => i.KeyPairId), mine.keys);
    // The cross-reference (9100/3000 from the monitoring group) goes first, or the group cannot be deleted.
    assert.equal(writes.findIndex(([n]) => n === 'RevokeSecurityGroupIngressCommand') < writes.findIndex(([n]) => n === 'DeleteSecurityGroupCommand'), true);
    // Groups only once the instances are terminated.
    const names = fake.calls().map(([n]) => n);
    assert.ok(names.lastIndexOf('DescribeInstancesCommand') < names.indexOf('DeleteSecurityGroupCommand'));

    assert.deepEqual(fake.instances.filter((i) => i.State?.Name !== 'terminated').map((i) => i.InstanceId), ['i-untagged', 'i-staging', 'i-other']);
    assert.deepEqual(fake.groups.map((g) => g.GroupId), ['sg-untagged']);
    assert.deepEqual(fake.keyPairs.map((k) => k.KeyPairId), ['key-untagged']);

    const again = await findTeardownTargets(api, owner);
    assert.equal(isEmpty(again), true);
    assert.match(describeTeardown(again), /nothing to delete/);
  });

  test('untagged resources survive even when the describe filters match too much', async () => {
    const api = ec2Api(fake.client, 'eu-west-1');
    fake.ignoreFilters = true;
    const targets = await findTeardownTargets(api, owner);
    await teardownEc2(api, targets, { log: () => {}, timing });
    const touched = JSON.stringify(fake.writes());
    for (const id of ['i-untagged', 'i-staging', 'i-other', 'sg-untagged', 'key-untagged']) assert.ok(!touched.includes(id), `${id} untouched`);
  });

  test('a group still held by released interfaces is retried until it goes', async () => {
    const api = ec2Api(fake.client, 'eu-west-1');
    fake.lingeringInterfaces = 2;
    const logs: string[] = [];
    await teardownEc2(api, await findTeardownTargets(api, owner), { log: (m) => logs.push(m), timing });
    assert.equal(logs.filter((l) => /still in use, retrying/.test(l)).length, 2);
    assert.deepEqual(fake.groups.map((g) => g.GroupId), ['sg-untagged']);
  });

  test('a group that never frees up fails with a clear message', async () => {
    const api = ec2Api(fake.client, 'eu-west-1');
    fake.lingeringInterfaces = 1000;
    await assert.rejects(
      teardownEc2(api, await findTeardownTargets(api, owner), { log: () => {}, timing: { ...timing, timeoutMs: 5000 } }),
      /security group cloudnova-aws-hosts \(sg-\w+\) is still in use after 5 s/,
    );
  });
});
