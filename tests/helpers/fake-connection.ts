// A Connection that records commands and answers from a script: unit tests
// of modules and the runner need no SSH and no shell.
import type { Connection, ConnectionStats, ExecOptions, ExecResult, WriteFileOptions } from '../../lib/core/types.ts';
import { RemoteCommandError } from '../../lib/core/types.ts';
import { type Shell, sh } from '../../lib/connection/quote.ts';

export type Responder = (line: string, opts: ExecOptions) => Partial<ExecResult> | undefined;

export class FakeConnection implements Connection {
  readonly stats: ConnectionStats = { execs: 0, bytesSent: 0 };
  readonly lines: string[] = [];
  readonly writes: Array<{ dest: string; content: string; opts: WriteFileOptions }> = [];
  closed = false;

  constructor(
    readonly hostName: string,
    private readonly respond: Responder = () => undefined,
  ) {}

  async exec(command: readonly string[] | Shell, opts: ExecOptions = {}): Promise<ExecResult> {
    const line = sh(command).text;
    this.stats.execs++;
    this.lines.push(line);
    const r = { code: 0, stdout: '', stderr: '', ...this.respond(line, opts) };
    if (r.code !== 0 && opts.check !== false) throw new RemoteCommandError(this.hostName, line, r.code, r.stderr);
    return r;
  }

  async writeFile(dest: string, content: Buffer | string, opts: WriteFileOptions = {}): Promise<void> {
    this.stats.bytesSent += Buffer.byteLength(content);
    this.writes.push({ dest, content: content.toString(), opts });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
