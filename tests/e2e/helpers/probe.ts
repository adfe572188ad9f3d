// What the test asks the deployed lab directly: HTTP(S) on the published
// 127.0.0.1 ports (trusting exactly our CA, never following redirects) and
// commands over the real ssh client with the operator key of the test's state.
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { sh } from '../../../lib/connection/quote.ts';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  ca?: string;
  auth?: { user: string; password: string };
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export function request(url: string, o: RequestOptions = {}): Promise<Answer> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`the e2e test talks to 127.0.0.1 only, not ${u.hostname}`);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeoutMs = o.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: o.method ?? 'GET',
        ca: o.ca,
        // A fresh connection each time: a reload must be seen by the next request.
        agent: false,
        headers: { ...(o.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
        auth: o.auth ? `${o.auth.user}:${o.auth.password}` : undefined,
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new Error(`${url}: ${e.message}`)));
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** Poll `fn` until it returns a value (not undefined) or the time is up; the last problem is thrown. */
export async function eventually<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export const header = (a: Answer, name: string): string | undefined => {
  const v = a.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** Run argv on a lab host as admin (sudo where the argv says so); the test's own known_hosts file. */
export function sshExec(o: { stateDir: string; knownHosts: string; port: number }, argv: readonly string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(
    'ssh',
    [
      '-i', join(o.stateDir, 'ssh', 'id_ed25519'),
      '-p', String(o.port),
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=accept-new',
      '-o', `UserKnownHostsFile=${o.knownHosts}`,
      '-o', 'ConnectTimeout=10',
      'admin@127.0.0.1',
      sh(argv).text,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}
