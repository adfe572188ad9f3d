// The zx entry point against a tiny EC2-compatible endpoint (AWS_ENDPOINT_URL): the real SDK
// speaks the real query protocol, so this also proves the endpoint override works end to end.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const tags = (name: string) =>
  `<tagSet><item><key>cloudnova:project</key><value>cloudnova</value></item><item><key>cloudnova:env</key><value>aws</value></item><item><key>cloudnova:name</key><value>${name}</value></item></tagSet>`;
const RESPONSES: Record<string, string> = {
  DescribeInstances: '<reservationSet/>',
  DescribeSecurityGroups: '<securityGroupInfo/>',
  // One of ours, one look-alike without the env tag.
  DescribeKeyPairs: `<keySet><item><keyPairId>key-ours</keyPairId><keyName>cloudnova-aws</keyName>${tags('operator')}</item><item><keyPairId>key-theirs</keyPairId><keyName>cloudnova-aws-x</keyName><tagSet><item><key>cloudnova:project</key><value>cloudnova</value></item></tagSet></item></keySet>`,
  DeleteKeyPair: '<return>true</return>',
};

let server: Server;
let endpoint: string;
let actions: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '?';
      actions.push(action === 'DeleteKeyPair' ? `DeleteKeyPair ${params.get('KeyPairId')}` : action);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${NS}"><requestId>r-1</requestId>${RESPONSES[action] ?? ''}</${action}Response>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());
beforeEach(() => {
  actions = [];
});

function runTeardown(args: string[]): Promise<{ code: number | null; out: string }> {
  const root = join(import.meta.dirname, '..', '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'playbooks/teardown.ts', ...args], {
    cwd: root,
    env: { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_ENDPOINT_URL_EC2: endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe('playbooks/teardown.ts', () => {
  test('without a terminal and without --yes it lists, then refuses', async () => {
    const { code, out } = await runTeardown([]);
    assert.equal(code, 1, out);
    assert.match(out, /delete key pair cloudnova-aws key-ours/);
    assert.doesNotMatch(out, /key-theirs/);
    assert.match(out, /not deleting: stdin is not a terminal, so nobody can confirm; rerun with --yes/);
    assert.ok(!actions.some((a) => a.startsWith('Delete')), actions.join());
  });

  test('--yes deletes ours only, through AWS_ENDPOINT_URL', async () => {
    const { code, out } = await runTeardown(['--yes']);
    assert.equal(code, 0, out);
    assert.deepEqual(actions.filter((a) => a.startsWith('Delete')), ['DeleteKeyPair key-ours']);
    assert.match(out, /teardown: done/);
  });

  test('flags it does not act on are refused with exit 2, before any AWS call; --check above all', async () => {
    for (const args of [['--check'], ['--yes', '--check'], ['--diff'], ['--tags', 'ec2'], ['--limit', 'web1'], ['--forks', '2'], ['--json', 'r.json']]) {
      const { code, out } = await runTeardown(args);
      assert.equal(code, 2, `${args.join(' ')}: ${out}`);
      assert.match(out, new RegExp(`^${args.find((a) => a !== '--yes')}: not accepted by this playbook; it takes only --env, -i/--inventory, -y/--yes, -h/--help, --region\\n$`), args.join(' '));
    }
    assert.deepEqual(actions, []);
  });

  test('--help lists only the flags it takes and says the default env is aws', async () => {
    const { code, out } = await runTeardown(['--help']);
    assert.equal(code, 0, out);
    assert.deepEqual([...out.matchAll(/^ {2}(?:-\w, )? *--([a-z-]+)/gm)].map((m) => m[1]), ['env', 'inventory', 'yes', 'help', 'region']);
    assert.match(out, /--env NAME +environment whose EC2 resources are deleted \(default: aws/);
    assert.doesNotMatch(out, /--check|--tags|--limit|--forks|--json|--diff/);
  });

  test('an env of static hosts is refused for what it is, not for its private keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cn-teardown-'));
    try {
      await writeFile(join(dir, 'garbage'), 'not a key\n', { mode: 0o600 });
      const inventory = join(dir, 'inventory.ts');
      const own = { hosts: { web1: { address: '192.0.2.10', privateKey: 'garbage' }, web2: { address: '192.0.2.11', privateKey: 'missing' } } };
      await writeFile(inventory, `export default ${JSON.stringify({ defaultEnv: 'own', environments: { own } })};\n`);
      const { code, out } = await runTeardown(['--env', 'own', '-i', inventory]);
      assert.equal(code, 2, out);
      assert.equal(out, `--env own: its hosts are not made by the ec2 provider (${inventory}); nothing to tear down here\n`);
      assert.deepEqual(actions, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
