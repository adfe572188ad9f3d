import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startHttpServer } from '../src/http-server.ts';
import { openDatabase } from '../src/db.ts';
import { createTestApp, temporaryDirectory, validUser } from './helpers.ts';

const WEBAPP_DIR = fileURLToPath(new URL('..', import.meta.url));
const tmp = temporaryDirectory();
after(tmp.cleanup);

describe('graceful shutdown', () => {
  it('lets an in-flight request finish after close() and then refuses new connections', async () => {
    const t = createTestApp();
    t.app.get('/test/slow', async (c) => {
      await sleep(400);
      return c.json({ finished: true });
    });
    const server = await startHttpServer(t.app, 0, '127.0.0.1');
    const base = `http://127.0.0.1:${server.port}`;

    const slow = fetch(`${base}/test/slow`);
    await sleep(100);
    const closing = server.close(5_000);
    const response = await slow;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { finished: true });
    await closing;
    await assert.rejects(fetch(`${base}/healthz`), 'the server still accepted a connection after close');
    t.db.close();
  });

  it('cuts connections still open after the shutdown timeout', async () => {
    const t = createTestApp();
    t.app.get('/test/stuck', async (c) => {
      await sleep(5_000);
      return c.text('too late');
    });
    const server = await startHttpServer(t.app, 0, '127.0.0.1');
    const stuck = fetch(`http://127.0.0.1:${server.port}/test/stuck`).catch((error: unknown) => error);
    await sleep(100);
    const started = Date.now();
    await server.close(200);
    assert.ok(Date.now() - started < 2_000, 'close waited for the stuck request');
    assert.ok((await stuck) instanceof Error);
    t.db.close();
  });

  it('`npm start` process: SIGTERM during a POST completes it, closes the database and exits 0', async () => {
    const databasePath = join(tmp.dir, 'sigterm.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: WEBAPP_DIR,
      env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: databasePath, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const port = await waitForListeningPort(() => output);

    // The body is sent in two parts around SIGTERM, so the request is certainly in flight when the signal lands.
    const body = JSON.stringify(validUser(1));
    const request = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/users',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    const responded = once(request, 'response') as Promise<[http.IncomingMessage]>;
    request.write(body.slice(0, 10));
    await sleep(300);
    child.kill('SIGTERM');
    await sleep(300);
    request.end(body.slice(10));
    const [response] = await responded;
    assert.equal(response.statusCode, 201, output);
    response.resume();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, output);
    assert.match(output, /database closed/);

    const db = openDatabase(databasePath);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n, 1);
    db.close();
  });
});

async function waitForListeningPort(readOutput: () => string): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const match = /"message":"listening".*"port":(\d+)/.exec(readOutput());
    if (match) return Number(match[1]);
    await sleep(50);
  }
  throw new Error(`server did not log "listening" within 15 s; output:\n${readOutput()}`);
}
