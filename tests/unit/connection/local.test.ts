import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalConnection } from '../../../lib/connection/local.ts';
import { and } from '../../../lib/connection/quote.ts';
import { RemoteCommandError } from '../../../lib/core/types.ts';

test('local exec: output, exit code, stderr in the error, stdin string and stream', async () => {
  const c = new LocalConnection({ hostName: 'controller' });
  assert.equal((await c.exec(['echo', "it's $HOME"])).stdout, "it's $HOME\n");
  const r = await c.exec(['sh', '-c', 'echo bad >&2; exit 4'], { check: false });
  assert.deepEqual([r.code, r.stderr], [4, 'bad\n']);
  await assert.rejects(c.exec(['sh', '-c', 'echo oops >&2; exit 3']), (e: unknown) => {
    assert.ok(e instanceof RemoteCommandError);
    assert.equal(e.code, 3);
    assert.match(e.message, /controller: command failed \(exit 3\)[\s\S]*oops/);
    return true;
  });
  assert.equal((await c.exec(['cat'], { stdin: 'abc' })).stdout, 'abc');
  const big = Buffer.alloc(3 * 1024 * 1024, 7);
  const counted = await c.exec(['wc', '-c'], { stdin: Readable.from([big.subarray(0, 1e6), big.subarray(1e6)]) });
  assert.equal(counted.stdout.trim(), String(big.length));
  assert.equal(c.stats.execs, 5);
});

test('local exec: timeout kills the command', async () => {
  const c = new LocalConnection();
  const r = await c.exec(['sleep', '5'], { timeoutMs: 100, check: false });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /timed out/);
});

test('local writeFile: atomic, mode, validate failure keeps the old file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cn-local-'));
  try {
    const c = new LocalConnection();
    const dest = join(dir, 'app.conf');
    await c.writeFile(dest, 'good\n', { mode: '0640', validate: (t) => ['grep', '-q', 'good', t] });
    assert.equal(await readFile(dest, 'utf8'), 'good\n');
    assert.equal((await stat(dest)).mode & 0o777, 0o640);
    await assert.rejects(c.writeFile(dest, 'bad\n', { validate: (t) => ['grep', '-q', 'good', t] }), RemoteCommandError);
    assert.equal(await readFile(dest, 'utf8'), 'good\n');
    // No temp files left behind; without a mode the existing mode is kept.
    await c.writeFile(dest, 'good again\n');
    assert.equal((await stat(dest)).mode & 0o777, 0o640);
    assert.deepEqual(await readdir(dir), ['app.conf']);
    assert.equal(c.stats.bytesSent, 'good\n'.length + 'bad\n'.length + 'good again\n'.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('local exec runs and() lines in one shell', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cn-local-'));
  try {
    const c = new LocalConnection();
    await c.exec(and(['mkdir', '-p', join(dir, 'a b')], ['touch', join(dir, 'a b', 'f')]));
    await writeFile(join(dir, 'x'), '');
    assert.deepEqual((await readdir(join(dir, 'a b'))).sort(), ['f']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
