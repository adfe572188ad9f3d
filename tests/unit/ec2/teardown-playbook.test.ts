// The zx entry point against a tiny EC2-compatible endpoint (AWS_ENDPOINT_URL): the real SDK
// speaks the real query protocol, so this also proves the endpoint override works end to end.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
});
