// GET from the controller, trusting exactly the given CA (ours, or yours), never
// following redirects: the redirect itself is one of the things verified.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpAnswer } from './checks.ts';

export function get(url: string, opts: { ca?: string; auth?: { user: string; password: string }; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        // Undefined: the system store (a bring-your-own certificate from a public CA).
        ca: opts.ca,
        auth: opts.auth ? `${opts.auth.user}:${opts.auth.password}` : undefined,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}
