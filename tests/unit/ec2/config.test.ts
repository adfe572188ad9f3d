import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../lib/core/types.ts';
import { parseEc2Config, resolveOperatorCidr } from '../../../roles/ec2/config.ts';

const src = { file: 'inventory.ts', field: 'environments.aws.provider', env: 'aws', environ: {} };

describe('parseEc2Config', () => {
  test('defaults', () => {
    const c = parseEc2Config({ kind: 'ec2', region: 'eu-west-1' }, src);
    assert.deepEqual(
      [c.instanceType, c.rootVolumeGb, c.keyName, c.project, c.env, c.sshUser, c.slots.map((s) => s.name)],
      ['t3.small', 20, 'cloudnova-aws', 'cloudnova', 'aws', 'ubuntu', ['web-1', 'monitoring-1']],
    );
  });

  test('region from AWS_REGION when not given', () => {
    assert.equal(parseEc2Config({ kind: 'ec2' }, { ...src, environ: { AWS_REGION: 'us-east-2' } }).region, 'us-east-2');
  });

  const bad: [string, unknown, RegExp][] = [
    ['missing region', {}, /inventory\.ts: environments\.aws\.provider\.region: no region: set it here or export AWS_REGION/],
    ['bad region', { region: 'europe' }, /provider\.region: 'europe' is not an AWS region name/],
    ['bad type', { region: 'eu-west-1', instanceType: 'big' }, /provider\.instanceType: 'big' is not an instance type/],
    ['small disk', { region: 'eu-west-1', rootVolumeGb: 4 }, /provider\.rootVolumeGb: expected a whole number of GB between 8 and 16384, got 4/],
    ['bad cidr', { region: 'eu-west-1', operatorCidr: '1.2.3.4' }, /provider\.operatorCidr: '1\.2\.3\.4' is not a CIDR/],
    ['bad role', { region: 'eu-west-1', count: { db: 1 } }, /provider\.count\.db: unknown role/],
    ['bad count', { region: 'eu-west-1', count: { web: -1, monitoring: 1 } }, /provider\.count\.web: expected a whole number from 0 to 20/],
    ['no monitoring', { region: 'eu-west-1', count: { web: 2 } }, /provider\.count: no 'monitoring' host/],
    ['bad ami', { region: 'eu-west-1', ami: 'ubuntu' }, /provider\.ami: 'ubuntu' is not an AMI id/],
  ];
  for (const [name, raw, message] of bad) {
    test(`rejects ${name} naming file and field`, () => {
      assert.throws(() => parseEc2Config({ kind: 'ec2', ...(raw as object) }, src), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }

  test('a host can be in both roles', () => {
    const c = parseEc2Config({ kind: 'ec2', region: 'eu-west-1', count: { web: 2, 'web,monitoring': 1 } }, src);
    assert.deepEqual(c.slots, [
      { name: 'web-1', role: 'web' },
      { name: 'web-2', role: 'web' },
      { name: 'web-monitoring-1', role: 'web,monitoring' },
    ]);
  });
});

describe('resolveOperatorCidr', () => {
  const config = parseEc2Config({ kind: 'ec2', region: 'eu-west-1' }, src);

  test('given wins, then CLOUDNOVA_OPERATOR_CIDR, then detection (shown)', async () => {
    assert.equal(await resolveOperatorCidr({ ...config, operatorCidr: '198.51.100.0/24' }), '198.51.100.0/24');
    assert.equal(await resolveOperatorCidr(config, { environ: { CLOUDNOVA_OPERATOR_CIDR: '203.0.113.9/32' } }), '203.0.113.9/32');
    const logs: string[] = [];
    assert.equal(await resolveOperatorCidr(config, { environ: {}, fetchIp: async () => '203.0.113.7\n', log: (m) => logs.push(m) }), '203.0.113.7/32');
    assert.match(logs[0]!, /operator CIDR detected: 203\.0\.113\.7\/32/);
  });

  test('detection failing asks for operatorCidr', async () => {
    await assert.rejects(
      resolveOperatorCidr(config, { environ: {}, fetchIp: async () => { throw new Error('fetch failed'); } }),
      /inventory\.ts: environments\.aws\.provider\.operatorCidr: not set, and detecting this machine's public IP failed \(fetch failed\); set operatorCidr: '203\.0\.113\.7\/32'/,
    );
  });
});
