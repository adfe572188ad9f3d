// The controller itself as a Connection: same contract as ssh, run through
// `sh -c` so command lines behave exactly as they do on a remote host.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Connection, ConnectionStats, ExecOptions, ExecResult, WriteFileOptions } from '../core/types.ts';
import { RemoteCommandError } from '../core/types.ts';
import { becomeLine, installFileLine } from './commands.ts';
import { type Shell, sh } from './quote.ts';

export interface LocalConnectionOptions {
  /** Name used in errors and reports. Default 'localhost'. */
  hostName?: string;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export class LocalConnection implements Connection {
  readonly hostName: string;
  readonly stats: ConnectionStats = { execs: 0, bytesSent: 0 };

  constructor(opts: LocalConnectionOptions = {}) {
    this.hostName = opts.hostName ?? 'localhost';
  }

  async exec(command: readonly string[] | Shell, opts: ExecOptions = {}): Promise<ExecResult> {
    const line = sh(command);
    // Root needs no sudo, and a controller without sudo installed must still work.
    const run = opts.sudo && !isRoot ? becomeLine(line) : line;
    this.stats.execs++;
    if (typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)) this.stats.bytesSent += Buffer.byteLength(opts.stdin);
    const result = await spawnShell(run.text, opts);
    if (result.code !== 0 && opts.check !== false) {
      throw new RemoteCommandError(this.hostName, line.text, result.code, result.stderr);
    }
    return result;
  }

  async writeFile(dest: string, content: Buffer | string, opts: WriteFileOptions = {}): Promise<void> {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    // Stage in a private temp folder (0700) so the content is never world-readable, even briefly.
    const stage = await mkdtemp(join(tmpdir(), 'cloudnova-'));
    const upload = join(stage, randomBytes(6).toString('hex'));
    try {
      await writeFile(upload, data, { mode: 0o600 });
      this.stats.bytesSent += data.length;
      await this.exec(installFileLine(upload, dest, opts), { sudo: opts.sudo });
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {}
}

function spawnShell(line: string, opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    // With a timeout, an own process group: the kill must reach the command's children
    // too, or their open stdout keeps us waiting. Without one, stay in ours so Ctrl-C reaches it.
    const child = spawn('sh', ['-c', line], { stdio: ['pipe', 'pipe', 'pipe'], detached: !!opts.timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // A command that exits without reading its stdin closes the pipe: not an error of ours.
    child.stdin.on('error', () => {});
    const timer = opts.timeoutMs ? setTimeout(() => killGroup(child.pid), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString();
      const timedOut = signal === 'SIGKILL' && !!opts.timeoutMs;
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString(),
        stderr: timedOut ? `${stderr}\ntimed out after ${opts.timeoutMs} ms` : signal ? `${stderr}\nkilled by ${signal}` : stderr,
      });
    });
    feedStdin(child.stdin, opts.stdin);
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already exited
  }
}

/** Write a string, Buffer or stream to a child's stdin, then close it. */
export function feedStdin(target: NodeJS.WritableStream, input: ExecOptions['stdin']): void {
  if (input === undefined) return void target.end();
  if (typeof input === 'string' || Buffer.isBuffer(input)) return void target.end(input);
  const source = input instanceof Readable ? input : Readable.from(input as AsyncIterable<Buffer>);
  source.pipe(target);
}
