// Opening an ssh2 Client: host-key check against the project's known_hosts,
// connect timeout, retries with exponential backoff, optional jump host.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import type { HostConfig } from '../core/types.ts';
import { UnreachableError } from '../core/types.ts';
import { checkAndRecord, keyTypeOfBlob, knownHostsName, removeHostHint } from './known-hosts.ts';

export interface SshConnectOptions {
  /** The project's known_hosts (state folder ssh/known_hosts). */
  knownHostsFile: string;
  /** Default true. Turn off only in tests that do not exercise host keys. */
  checkHostKey?: boolean;
  /** Per attempt, TCP connect + handshake + auth. Default 10 s. */
  connectTimeoutMs?: number;
  /** Extra attempts after the first, for hosts still booting. Default 5. */
  retries?: number;
  /** First backoff delay, doubled each attempt, capped at 5 s. Default 250 ms. */
  retryDelayMs?: number;
  /** Default 15 s; the connection is dropped after 3 unanswered keepalives. */
  keepaliveIntervalMs?: number;
}

/** A changed host key: refused, never retried. */
export class HostKeyChangedError extends UnreachableError {
  constructor(host: string, knownName: string, keyType: string, fingerprint: string, file: string) {
    super(
      host,
      `the host key of ${knownName} has changed (now ${keyType} ${fingerprint}); refusing to connect. ` +
        `Either someone is intercepting the connection, or the host was rebuilt. If it was rebuilt, ` +
        `remove the old key and run again: ${removeHostHint(file, knownName)}`,
    );
    this.name = 'HostKeyChangedError';
  }
}

export interface OpenedClient {
  client: Client;
  /** The jump host's own connection, closed together with `client`. */
  jump?: Client;
}

export async function openClient(host: HostConfig, opts: SshConnectOptions): Promise<OpenedClient> {
  const retries = opts.retries ?? 5;
  let delay = opts.retryDelayMs ?? 250;
  for (let attempt = 0; ; attempt++) {
    try {
      return await openOnce(host, opts);
    } catch (err) {
      if (err instanceof HostKeyChangedError) throw err;
      const reason = describe(err);
      if (!isRetryable(err) || attempt >= retries) {
        throw new UnreachableError(host.name, `${host.user}@${host.address}:${host.port}: ${reason}` + (attempt ? ` (after ${attempt + 1} attempts)` : ''));
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

async function openOnce(host: HostConfig, opts: SshConnectOptions): Promise<OpenedClient> {
  if (!host.jump) {
    const client = await handshake(host.name, { host: host.address, port: host.port }, host, await readKey(host.privateKeyPath, host.name), opts);
    return { client };
  }
  const j = host.jump;
  const jumpName = `${host.name} (jump ${j.address})`;
  const jump = await handshake(jumpName, { host: j.address, port: j.port }, { ...j }, await readKey(j.privateKeyPath, jumpName), opts);
  try {
    const sock = await forwardOut(jump, host.address, host.port);
    const client = await handshake(host.name, { sock }, host, await readKey(host.privateKeyPath, host.name), opts);
    return { client, jump };
  } catch (err) {
    jump.end();
    throw err;
  }
}

function readKey(path: string, host: string): Promise<Buffer> {
  return readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new UnreachableError(host, `cannot read private key ${path}: ${e.code ?? e.message}`);
  });
}

function forwardOut(jump: Client, address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, address, port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** One TCP+SSH handshake. `where` is either host/port or an already open socket (jump). */
function handshake(
  hostName: string,
  where: { host: string; port: number } | { sock: Duplex },
  target: { address: string; port: number; user: string },
  privateKey: Buffer,
  opts: SshConnectOptions,
): Promise<Client> {
  const knownName = knownHostsName(target.address, target.port);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let refused: HostKeyChangedError | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(refused ?? err);
    };
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', fail);
    client.once('close', () => fail(new Error('connection closed during handshake')));
    const config: ConnectConfig = {
      ...where,
      username: target.user,
      privateKey,
      readyTimeout: opts.connectTimeoutMs ?? 10_000,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
    };
    if (opts.checkHostKey !== false) {
      config.hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
        const presented = { type: keyTypeOfBlob(key), key: key.toString('base64') };
        checkAndRecord(opts.knownHostsFile, knownName, presented).then(
          (v) => {
            if (v === 'changed') refused = new HostKeyChangedError(hostName, knownName, presented.type, fingerprint(key), opts.knownHostsFile);
            verify(v !== 'changed');
          },
          (e: Error) => {
            refused = new HostKeyChangedError(hostName, knownName, presented.type, `(known_hosts unreadable: ${e.message})`, opts.knownHostsFile);
            verify(false);
          },
        );
      };
    }
    client.connect(config);
  });
}

/** OpenSSH's SHA256:... fingerprint, so the message matches what `ssh-keygen -lf` prints. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

function describe(err: unknown): string {
  if (err instanceof UnreachableError) return err.message.replace(/^[^:]*: unreachable: /, '');
  const e = err as NodeJS.ErrnoException & { level?: string };
  if (e.level === 'client-authentication') return 'authentication failed (is the public key in authorized_keys?)';
  if (e.level === 'client-timeout') return 'timed out waiting for the SSH handshake';
  return e.code ? `${e.code} ${e.message}` : String(e.message ?? err);
}

/** Network-level failures a booting host produces; auth and key errors are final. */
function isRetryable(err: unknown): boolean {
  if (err instanceof UnreachableError) return false;
  const e = err as NodeJS.ErrnoException & { level?: string };
  if (e.level === 'client-authentication') return false;
  if (e.level === 'client-timeout') return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE'].includes(e.code)) return true;
  return /handshake|connection closed|Connection lost|Not connected|open failed|connect failed/i.test(String(e.message));
}
