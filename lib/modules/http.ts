// Wait until a URL answers with the expected status (and body). gather is one
// probe; apply polls until it matches or the timeout passes. From the
// controller it costs no remote exec; `from: 'host'` probes with curl on the host
// (a service bound to the host's loopback or private address).
import http from 'node:http';
import https from 'node:https';
import type { Connection, Module, Plan } from '../core/types.ts';
import { type Shell, sh } from '../connection/quote.ts';

export interface HttpSpec {
  url: string;
  /** Expected status. Default 200. */
  status?: number;
  /** Expected body: a substring or a pattern. */
  body?: string | RegExp;
  from?: 'controller' | 'host';
  timeoutMs?: number;
  intervalMs?: number;
  /** Accept self-signed certificates (the lab CA is not in the system store). */
  insecure?: boolean;
  headers?: Record<string, string>;
}

export interface HttpFacts {
  status: number;
  body: string;
  /** Connection refused, DNS, TLS... */
  error?: string;
}

const STATUS_MARK = '\n@@cloudnova:status=';

export function curlArgv(spec: HttpSpec, requestTimeoutMs: number): string[] {
  const argv = ['curl', '-sS', '--max-time', String(Math.max(1, Math.ceil(requestTimeoutMs / 1000))), '-o', '-', '-w', `${STATUS_MARK}%{http_code}`];
  if (spec.insecure) argv.push('-k');
  for (const [k, v] of Object.entries(spec.headers ?? {})) argv.push('-H', `${k}: ${v}`);
  argv.push('--', spec.url);
  return argv;
}

export function parseCurl(stdout: string, stderr: string): HttpFacts {
  const at = stdout.lastIndexOf(STATUS_MARK);
  if (at < 0) return { status: 0, body: '', error: stderr.trim() || 'no response' };
  const status = Number(stdout.slice(at + STATUS_MARK.length).trim());
  return { status, body: stdout.slice(0, at), error: status === 0 ? stderr.trim() || 'no response' : undefined };
}

export function httpMatches(spec: HttpSpec, facts: HttpFacts): boolean {
  if (facts.status !== (spec.status ?? 200)) return false;
  if (spec.body === undefined) return true;
  return typeof spec.body === 'string' ? facts.body.includes(spec.body) : spec.body.test(facts.body);
}

export function describeHttp(spec: HttpSpec, facts: HttpFacts): string {
  const got = facts.error ? facts.error : `status ${facts.status}, body ${JSON.stringify(facts.body.slice(0, 200))}`;
  return `expected status ${spec.status ?? 200}${spec.body !== undefined ? ` and body matching ${String(spec.body)}` : ''}; got ${got}`;
}

export function planHttp(spec: HttpSpec, facts: HttpFacts): Plan {
  if (httpMatches(spec, facts)) return { changes: [] };
  return { changes: [{ what: `wait for ${spec.url} (${describeHttp(spec, facts)})` }] };
}

function fetchFromController(spec: HttpSpec, timeoutMs: number): Promise<HttpFacts> {
  return new Promise((resolve) => {
    const lib = spec.url.startsWith('https:') ? https : http;
    const req = lib.get(spec.url, { headers: spec.headers, rejectUnauthorized: !spec.insecure, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: 0, body: '', error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, body: '', error: e.message }));
  });
}

async function probe(conn: Connection, spec: HttpSpec, requestTimeoutMs: number): Promise<HttpFacts> {
  if (spec.from === 'host') {
    const r = await conn.exec(curlArgv(spec, requestTimeoutMs) as string[], { check: false });
    return parseCurl(r.stdout, r.stderr);
  }
  return fetchFromController(spec, requestTimeoutMs);
}

export function httpCheckLine(spec: HttpSpec): Shell {
  return sh(curlArgv(spec, 10_000));
}

export function httpCheck(spec: HttpSpec): Module<HttpFacts> {
  const timeoutMs = spec.timeoutMs ?? 60_000;
  const intervalMs = spec.intervalMs ?? 1000;
  const requestTimeoutMs = Math.min(10_000, timeoutMs);
  return {
    kind: 'http',
    subject: spec.url,
    gather: (conn) => probe(conn, spec, requestTimeoutMs),
    plan: (facts) => planHttp(spec, facts),
    async apply(conn) {
      const deadline = Date.now() + timeoutMs;
      let last: HttpFacts;
      do {
        await new Promise((r) => setTimeout(r, intervalMs));
        last = await probe(conn, spec, requestTimeoutMs);
        if (httpMatches(spec, last)) return;
      } while (Date.now() < deadline);
      throw new Error(`${spec.url}: not ready after ${Math.round(timeoutMs / 1000)} s: ${describeHttp(spec, last)}`);
    },
  };
}
