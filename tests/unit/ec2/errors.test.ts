import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ec2Api, makeEc2Client } from '../../../roles/ec2/client.ts';
import { parseEc2Config } from '../../../roles/ec2/config.ts';
import { Ec2Error, describeAwsError } from '../../../roles/ec2/errors.ts';
import { provisionEc2 } from '../../../roles/ec2/provider.ts';
import { FakeEc2, awsError, tempState } from './fake-ec2.ts';

const config = parseEc2Config({ kind: 'ec2', region: 'eu-west-1' }, { file: 'inventory.ts', field: 'p', env: 'aws', environ: {} });

const cases: [string, Error, string, RegExp][] = [
  ['missing credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'DescribeInstances', /^DescribeInstances: no AWS credentials found: export AWS_PROFILE .* or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \(SDK: Could not load credentials/],
  ['expired sso session', Object.assign(new Error('The SSO session associated with this profile has expired or is otherwise invalid.'), { name: 'CredentialsProviderError' }), 'DescribeInstances', /^DescribeInstances: the AWS session has expired: run `aws sso login`/],
  ['missing region', new Error('Region is missing'), 'DescribeInstances', /no AWS region: set provider\.region in inventory\.ts or export AWS_REGION/],
  ['expired token', awsError('ExpiredToken', 'The security token included in the request is expired'), 'DescribeKeyPairs', /^DescribeKeyPairs: the AWS session token has expired: refresh it/],
  ['request expired', awsError('RequestExpired', 'Request has expired.'), 'DescribeKeyPairs', /session token has expired, or this machine's clock is off/],
  ['instance limit', awsError('InstanceLimitExceeded', "You have requested more instances (21) than your current instance limit of 20 allows for the specified instance type."), 'RunInstances', /^RunInstances: the account's instance limit in eu-west-1 is reached \(You have requested more instances \(21\).*\); lower count in inventory\.ts, .*Service Quotas/],
  ['vcpu limit', awsError('VcpuLimitExceeded', 'You have requested more vCPU capacity than your current vCPU limit of 32 allows'), 'RunInstances', /vCPU quota .* in eu-west-1 is reached .*request an increase in Service Quotas/],
  ['unauthorized, permission named', awsError('UnauthorizedOperation', 'You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:123456789012:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: AbCdEf123'), 'RunInstances', /^RunInstances: missing IAM permission ec2:RunInstances: grant it to the credentials in use; AWS encoded the details: decode them with `aws sts decode-authorization-message`/],
  ['unauthorized, encoded only', awsError('UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: AbCdEf123'), 'CreateSecurityGroup', /missing IAM permission ec2:CreateSecurityGroup: grant it .* \(AWS did not name it; ec2:CreateSecurityGroup is the action that was attempted\)/],
  ['duplicate group', awsError('InvalidGroup.Duplicate', "The security group 'cloudnova-aws-hosts' already exists"), 'CreateSecurityGroup', /created at the same time by another run and could not be read back: rerun/],
  ['duplicate key', awsError('InvalidKeyPair.Duplicate', "The keypair 'cloudnova-aws' already exists."), 'ImportKeyPair', /key pair with this name was created at the same time by another run/],
  ['ami of another region', awsError('InvalidAMIID.NotFound', "The image id '[ami-0123456789abcdef0]' does not exist"), 'DescribeImages', /the AMI is not usable in eu-west-1 .*fix or remove provider\.ami/],
  ['no default vpc', awsError('VPCIdNotSpecified', 'No default VPC for this user'), 'CreateSecurityGroup', /has no default VPC in eu-west-1; create one \(`aws ec2 create-default-vpc`\)/],
];

describe('describeAwsError', () => {
  for (const [name, err, action, message] of cases) {
    test(name, () => {
      const mapped = describeAwsError(err, action, 'eu-west-1');
      assert.ok(mapped instanceof Ec2Error);
      assert.match(mapped.message, message);
      assert.equal(mapped.action, action);
      assert.equal(mapped.cause, err);
    });
  }
});

describe('errors surface from provisionEc2 with the action attempted', () => {
  let fake: FakeEc2 | undefined;
  afterEach(() => fake?.restore());
  const run = () =>
    provisionEc2({
      config,
      client: fake!.client,
      check: false,
      diff: false,
      log: () => {},
      state: tempState(),
      probeSsh: async () => true,
      timing: { sleep: async () => {} },
      environ: { CLOUDNOVA_OPERATOR_CIDR: '203.0.113.7/32' },
    });
  const inject = (command: string, error: Error) => {
    fake = new FakeEc2();
    fake.before = (cmd) => {
      if (cmd === command) throw error;
    };
  };

  for (const [name, command, error, message] of [
    ['expired token', 'DescribeSecurityGroups', awsError('ExpiredToken', 'expired'), /^DescribeSecurityGroups: the AWS session token has expired/],
    ['instance limit', 'RunInstances', awsError('InstanceLimitExceeded', 'limit of 20'), /^RunInstances: the account's instance limit in eu-west-1 is reached/],
    ['vcpu limit', 'RunInstances', awsError('VcpuLimitExceeded', 'limit of 32'), /^RunInstances: the account's vCPU quota/],
    ['unauthorized import', 'ImportKeyPair', awsError('UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: x'), /^ImportKeyPair: missing IAM permission ec2:ImportKeyPair/],
    ['unauthorized run', 'RunInstances', awsError('UnauthorizedOperation', 'User: arn:aws:iam::1:user/d is not authorized to perform: ec2:RunInstances on resource: x'), /^RunInstances: missing IAM permission ec2:RunInstances: grant it/],
  ] as const) {
    test(name, async () => {
      inject(command, error);
      await assert.rejects(run(), (err: unknown) => err instanceof Ec2Error && message.test(err.message));
    });
  }

  test('a duplicate group that cannot be read back explains itself', async () => {
    inject('CreateSecurityGroup', awsError('InvalidGroup.Duplicate', 'already exists'));
    await assert.rejects(run(), /CreateSecurityGroup: a security group with this name was created at the same time by another run and could not be read back/);
  });
});

describe('the real SDK path, no mock and no network', () => {
  test('missing credentials', async () => {
    const client = new EC2Client({
      region: 'eu-west-1',
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      },
    });
    await assert.rejects(ec2Api(client, 'eu-west-1').send(new DescribeInstancesCommand({})), /DescribeInstances: no AWS credentials found/);
  });

  test('missing region', async () => {
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const client = new EC2Client({ credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      await assert.rejects(ec2Api(client, '').send(new DescribeInstancesCommand({})), /no AWS region: set provider\.region in inventory\.ts or export AWS_REGION/);
    } finally {
      if (saved.r !== undefined) process.env.AWS_REGION = saved.r;
      if (saved.d !== undefined) process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });
});

describe('makeEc2Client', () => {
  test('honours AWS_ENDPOINT_URL', async () => {
    const client = makeEc2Client('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4566' });
    const ep = await client.config.endpoint!();
    assert.deepEqual([ep.protocol, ep.hostname, ep.port], ['http:', 'localhost', 4566]);
  });

  test('AWS_ENDPOINT_URL_EC2 wins over AWS_ENDPOINT_URL', async () => {
    const client = makeEc2Client('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_EC2: 'https://ec2.example.test:8443' });
    const ep = await client.config.endpoint!();
    assert.deepEqual([ep.protocol, ep.hostname, ep.port], ['https:', 'ec2.example.test', 8443]);
  });

  test('without it the regional AWS endpoint is used', async () => {
    const client = makeEc2Client('eu-west-1', {});
    assert.equal(client.config.endpoint, undefined);
    assert.equal(await client.config.region(), 'eu-west-1');
  });
});
