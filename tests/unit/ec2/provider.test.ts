import { strict as assert } from 'node:assert';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { parseEc2Config } from '../../../roles/ec2/config.ts';
import { provisionEc2, groupsOfHosts, type ProvisionOptions } from '../../../roles/ec2/provider.ts';
import { FakeEc2, tempState } from './fake-ec2.ts';

const config = parseEc2Config(
  { kind: 'ec2', region: 'eu-west-1', instanceType: 't3.small', rootVolumeGb: 30, count: { web: 1, monitoring: 1 } },
  { file: 'inventory.ts', field: 'environments.aws.provider', env: 'aws', environ: {} },
);

let fake: FakeEc2;
beforeEach(() => {
  fake = new FakeEc2();
});
afterEach(() => fake.restore());

function options(over: Partial<ProvisionOptions> = {}): ProvisionOptions & { logs: string[] } {
  const logs: string[] = [];
  return {
    config,
    client: fake.client,
    check: false,
    diff: true,
    log: (m) => logs.push(m),
    state: tempState(),
    probeSsh: async () => true,
    timing: { sleep: async () => {}, timeoutMs: 60_000 },
    environ: { CLOUDNOVA_OPERATOR_CIDR: '203.0.113.7/32' },
    logs,
    ...over,
  };
}

const tag = (k: string, v: string) => ({ Key: k, Value: v });
const owner = [tag('cloudnova:project', 'cloudnova'), tag('cloudnova:env', 'aws')];
const tcp = (port: number, src: object) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, ...src });

describe('provisionEc2', () => {
  test('creates everything from nothing, with exactly these write calls', async () => {
    const opts = options();
    const { hosts, changed } = await provisionEc2(opts);
    assert.equal(changed, true);
    const writes = fake.writes();
    assert.deepEqual(
      writes.map(([name]) => name),
      ['ImportKeyPairCommand', 'CreateSecurityGroupCommand', 'CreateSecurityGroupCommand', 'AuthorizeSecurityGroupIngressCommand', 'RunInstancesCommand', 'RunInstancesCommand'],
    );

    const keyPath = opts.state.path('ssh', 'id_ed25519');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    const [, importInput] = writes[0]!;
    assert.equal(importInput.KeyName, 'cloudnova-aws');
    assert.equal(Buffer.from(importInput.PublicKeyMaterial).toString(), readFileSync(`${keyPath}.pub`, 'utf8').trim());
    assert.match(Buffer.from(importInput.PublicKeyMaterial).toString(), /^ssh-ed25519 AAAA\S+ cloudnova-operator$/);
    assert.deepEqual(importInput.TagSpecifications, [
      { ResourceType: 'key-pair', Tags: [...owner, tag('cloudnova:name', 'operator'), tag('Name', 'cloudnova-aws-operator')] },
    ]);
    // No private key material in any call, ever.
    assert.ok(!JSON.stringify(fake.calls()).includes('PRIVATE KEY'));
    assert.ok(!fake.calls().some(([, input]) => JSON.stringify(input).includes(readFileSync(keyPath, 'utf8').split('\n')[1]!)));

    const [hostsGroup, monGroup] = fake.groups;
    assert.equal(writes[1]![1].GroupName, 'cloudnova-aws-hosts');
    assert.deepEqual(writes[1]![1].TagSpecifications[0].Tags, [...owner, tag('cloudnova:name', 'hosts'), tag('Name', 'cloudnova-aws-hosts')]);
    assert.equal(writes[2]![1].GroupName, 'cloudnova-aws-monitoring');
    assert.deepEqual(writes[3]![1], {
      GroupId: hostsGroup!.GroupId,
      IpPermissions: [
        tcp(22, { IpRanges: [{ CidrIp: '203.0.113.7/32', Description: 'ssh from the operator' }] }),
        tcp(80, { IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'http' }] }),
        tcp(443, { IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }] }),
        tcp(9100, { UserIdGroupPairs: [{ GroupId: monGroup!.GroupId, Description: 'node-exporter, scraped by monitoring' }] }),
        tcp(3000, { UserIdGroupPairs: [{ GroupId: monGroup!.GroupId, Description: 'app metrics, scraped by monitoring' }] }),
      ],
    });

    const runs = writes.filter(([n]) => n === 'RunInstancesCommand').map(([, i]) => i);
    const web = runs.find((r) => r.TagSpecifications[0].Tags.some((t: any) => t.Value === 'web-1'));
    // An idempotency token per launch: a retried RunInstances returns the same instance.
    assert.match(web.ClientToken, /^cloudnova-aws-web-1-[0-9a-f]{12}$/);
    assert.notEqual(runs.find((r) => r !== web).ClientToken, web.ClientToken);
    assert.deepEqual({ ...web, ClientToken: undefined }, {
      ClientToken: undefined,
      ImageId: 'ami-0new0000000000000',
      InstanceType: 't3.small',
      MinCount: 1,
      MaxCount: 1,
      KeyName: 'cloudnova-aws',
      SecurityGroupIds: [hostsGroup!.GroupId],
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 30, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: true } }],
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      TagSpecifications: ['instance', 'volume'].map((ResourceType) => ({
        ResourceType,
        Tags: [...owner, tag('cloudnova:name', 'web-1'), tag('Name', 'cloudnova-aws-web-1'), tag('cloudnova:role', 'web')],
      })),
    });
    const mon = runs.find((r) => r !== web)!;
    assert.deepEqual(mon.SecurityGroupIds, [hostsGroup!.GroupId, monGroup!.GroupId]);

    // The AMI came from Canonical's account, newest first.
    const images = fake.calls().find(([n]) => n === 'DescribeImagesCommand')![1];
    assert.deepEqual(images.Owners, ['099720109477']);
    assert.deepEqual(images.Filters[0], { Name: 'name', Values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*'] });

    assert.deepEqual(
      hosts.map((h) => [h.name, h.groups, h.address, h.privateAddress, h.user, h.port, h.privateKeyPath, h.become]),
      [
        ['web-1', ['web'], '198.51.100.10', '172.31.0.11', 'ubuntu', 22, keyPath, true],
        ['monitoring-1', ['monitoring'], '198.51.100.11', '172.31.0.12', 'ubuntu', 22, keyPath, true],
      ],
    );
    assert.deepEqual(groupsOfHosts(hosts), { all: ['web-1', 'monitoring-1'], web: ['web-1'], monitoring: ['monitoring-1'] });
  });

  test('a rerun with everything present makes no write call and returns the same hosts', async () => {
    const state = tempState();
    const first = await provisionEc2(options({ state }));
    fake.mock.resetHistory();
    const again = await provisionEc2(options({ state }));
    assert.deepEqual(fake.writes(), []);
    assert.equal(again.changed, false);
    assert.deepEqual(again.plan.changes, []);
    assert.deepEqual(again.hosts, first.hosts);
    // Facts in one batch: no image lookup when nothing is launched.
    assert.deepEqual(fake.calls().map(([n]) => n).sort(), [
      'DescribeInstancesCommand', // facts
      'DescribeInstancesCommand', // wait: already running
      'DescribeKeyPairsCommand',
      'DescribeSecurityGroupsCommand',
    ]);
  });

  test('drift: an extra rule is revoked and shown in the diff, a missing one re-added', async () => {
    const state = tempState();
    await provisionEc2(options({ state }));
    const hostsGroup = fake.groups[0]!;
    hostsGroup.IpPermissions = [
      ...hostsGroup.IpPermissions!.filter((p) => p.FromPort !== 443),
      tcp(8080, { IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
      tcp(22, { IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ];
    fake.mock.resetHistory();
    const opts = options({ state });
    const { plan } = await provisionEc2(opts);
    assert.match(plan.diff, /^- tcp 8080 0\.0\.0\.0\/0 \(extra rule, will be revoked\)$/m);
    assert.match(plan.diff, /^- tcp 22 0\.0\.0\.0\/0 \(extra rule, will be revoked\)$/m);
    assert.match(plan.diff, /^\+ tcp 443 0\.0\.0\.0\/0 \(https\)$/m);
    assert.ok(opts.logs.includes(plan.diff), 'diff is shown under --diff');
    assert.deepEqual(fake.writes(), [
      ['RevokeSecurityGroupIngressCommand', {
        GroupId: hostsGroup.GroupId,
        IpPermissions: [tcp(8080, { IpRanges: [{ CidrIp: '0.0.0.0/0', Description: undefined }] }), tcp(22, { IpRanges: [{ CidrIp: '0.0.0.0/0', Description: undefined }] })],
      }],
      ['AuthorizeSecurityGroupIngressCommand', { GroupId: hostsGroup.GroupId, IpPermissions: [tcp(443, { IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }] })] }],
    ]);
  });

  test('--check plans from nothing but writes nothing, in AWS or in the state folder', async () => {
    const opts = options({ check: true });
    const { hosts, plan, changed } = await provisionEc2(opts);
    assert.deepEqual(fake.writes(), []);
    assert.equal(existsSync(opts.state.path('ssh', 'id_ed25519')), false);
    assert.equal(changed, true);
    assert.deepEqual(hosts, []);
    assert.deepEqual(plan.changes.map((c) => c.kind), ['import-key', 'create-group', 'authorize', 'create-group', 'run-instance', 'run-instance']);
    assert.match(plan.diff, /\+ import the operator key \(to be generated\)/);
  });

  test("a host in both roles joins both groups and both security groups", async () => {
    const both = parseEc2Config({ kind: 'ec2', region: 'eu-west-1', count: { 'web,monitoring': 1 } }, { file: 'inventory.ts', field: 'p', env: 'aws', environ: {} });
    const { hosts } = await provisionEc2(options({ config: both }));
    assert.deepEqual(hosts.map((h) => [h.name, h.groups]), [['web-monitoring-1', ['web', 'monitoring']]]);
    const run = fake.writes().find(([n]) => n === 'RunInstancesCommand')![1];
    assert.equal(run.SecurityGroupIds.length, 2);
    assert.deepEqual(run.TagSpecifications[0].Tags.at(-1), tag('cloudnova:role', 'web,monitoring'));
  });

  test('waits for ssh with backoff before handing the hosts over', async () => {
    const delays: number[] = [];
    const probes = new Map<string, number>();
    await provisionEc2(options({
      probeSsh: async (address) => {
        probes.set(address, (probes.get(address) ?? 0) + 1);
        return probes.get(address)! > 4;
      },
      timing: { sleep: async (ms) => void delays.push(ms), timeoutMs: 60_000, firstDelayMs: 1000, maxDelayMs: 4000 },
    }));
    assert.deepEqual([...probes.values()], [5, 5]);
    // One wait for 'running', then per host 1 s, 2 s, 4 s, 4 s: doubling, capped.
    assert.deepEqual(delays.sort((a, b) => a - b), [1000, 1000, 1000, 2000, 2000, 4000, 4000, 4000, 4000]);
  });

  test('ssh that never answers fails with a message naming the host', async () => {
    await assert.rejects(
      provisionEc2(options({ probeSsh: async () => false, timing: { sleep: async () => {}, timeoutMs: 10_000, firstDelayMs: 1000, maxDelayMs: 2000 } })),
      /web-1 \(198\.51\.100\.10\): ssh did not answer on port 22 after 10 s/,
    );
  });

  test('a group created concurrently by another run is re-read and used', async () => {
    fake.before = (cmd, input) => {
      if (cmd === 'CreateSecurityGroup' && input.GroupName === 'cloudnova-aws-hosts' && !fake.groups.some((g) => g.GroupName === input.GroupName)) {
        // The other run wins the race, including one of the rules.
        fake.groups.push({ GroupId: 'sg-other', GroupName: input.GroupName, VpcId: 'vpc-1', Tags: input.TagSpecifications[0].Tags, IpPermissions: [tcp(80, { IpRanges: [{ CidrIp: '0.0.0.0/0' }] })] });
      }
    };
    const opts = options();
    const { hosts } = await provisionEc2(opts);
    assert.equal(fake.groups.filter((g) => g.GroupName === 'cloudnova-aws-hosts').length, 1);
    assert.ok(opts.logs.some((l) => /cloudnova-aws-hosts already present \(created concurrently\): reused/.test(l)));
    assert.deepEqual(fake.instances[0]!.SecurityGroups!.map((g) => g.GroupId)[0], 'sg-other');
    assert.equal(fake.groups[0]!.IpPermissions!.length, 5, 'rules added one by one around the duplicate');
    assert.equal(hosts.length, 2);
  });

  test('a key pair imported concurrently with the same key is reused', async () => {
    fake.before = (cmd, input) => {
      if (cmd === 'ImportKeyPair' && fake.keyPairs.length === 0) {
        fake.keyPairs.push({ KeyPairId: 'key-other', KeyName: input.KeyName, PublicKey: Buffer.from(input.PublicKeyMaterial).toString(), Tags: input.TagSpecifications[0].Tags });
      }
    };
    const opts = options();
    await provisionEc2(opts);
    assert.equal(fake.keyPairs.length, 1);
    assert.ok(opts.logs.some((l) => /key pair cloudnova-aws already present \(created concurrently\): reused/.test(l)));
  });

  test('a same-named group without our tags is refused, not adopted', async () => {
    fake.groups.push({ GroupId: 'sg-someone', GroupName: 'cloudnova-aws-hosts', VpcId: 'vpc-1', Tags: [], IpPermissions: [] });
    await assert.rejects(provisionEc2(options()), /security group named cloudnova-aws-hosts \(sg-someone\) already exists without this project's tags/);
    assert.equal(fake.writes().filter(([n]) => n === 'RunInstancesCommand').length, 0);
  });

  test('a same-named key pair with another public key is refused with what to do', async () => {
    fake.keyPairs.push({ KeyPairId: 'key-someone', KeyName: 'cloudnova-aws', PublicKey: 'ssh-ed25519 AAAAother someone', Tags: [] });
    await assert.rejects(provisionEc2(options()), /key pair cloudnova-aws already exists in eu-west-1 with a different public key; set provider\.keyName/);
  });

  test('a stopped instance is started, not replaced', async () => {
    const state = tempState();
    await provisionEc2(options({ state }));
    fake.instances[0]!.State = { Name: 'stopped', Code: 80 };
    fake.mock.resetHistory();
    await provisionEc2(options({ state }));
    assert.deepEqual(fake.writes(), [['StartInstancesCommand', { InstanceIds: [fake.instances[0]!.InstanceId] }]]);
  });

  test('terminated instances are ignored: the slot is launched again', async () => {
    const state = tempState();
    await provisionEc2(options({ state }));
    fake.instances[0]!.State = { Name: 'terminated', Code: 48 };
    fake.instances[1]!.State = { Name: 'shutting-down', Code: 32 };
    fake.mock.resetHistory();
    await provisionEc2(options({ state }));
    assert.equal(fake.writes().filter(([n]) => n === 'RunInstancesCommand').length, 2);
  });

  test('instances still stopping are reported, and never widen into an account-wide describe', async () => {
    const state = tempState();
    await provisionEc2(options({ state }));
    for (const i of fake.instances) i.State = { Name: 'stopping', Code: 64 };
    fake.mock.resetHistory();
    const opts = options({ state });
    const { hosts } = await provisionEc2(opts);
    assert.deepEqual(hosts, []);
    assert.ok(!fake.calls().some(([n, i]) => n === 'DescribeInstancesCommand' && !i.Filters && !i.InstanceIds?.length));
    assert.ok(opts.logs.some((l) => /web-1 \(i-\w+\) is stopping: rerun once it has stopped/.test(l)));
  });

  test('an AMI override is looked up by id for its root device', async () => {
    fake.images.push({ ImageId: 'ami-0abcdef0123456789', Name: 'custom', RootDeviceName: '/dev/xvda' });
    const custom = parseEc2Config({ kind: 'ec2', region: 'eu-west-1', ami: 'ami-0abcdef0123456789' }, { file: 'inventory.ts', field: 'p', env: 'aws', environ: {} });
    await provisionEc2(options({ config: custom }));
    assert.deepEqual(fake.calls().find(([n]) => n === 'DescribeImagesCommand')![1], { ImageIds: ['ami-0abcdef0123456789'] });
    const run = fake.writes().find(([n]) => n === 'RunInstancesCommand')![1];
    assert.deepEqual([run.ImageId, run.BlockDeviceMappings[0].DeviceName], ['ami-0abcdef0123456789', '/dev/xvda']);
  });
});
