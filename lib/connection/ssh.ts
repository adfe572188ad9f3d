// A host over SSH: ONE ssh2 connection per host per run, reused by every exec
// and every SFTP transfer, with channel opens bounded below OpenSSH's MaxSessions.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { Connection, ConnectionStats, ExecOptions, ExecResult, HostConfig, WriteFileOptions } from '../core/types.ts';
import { RemoteCommandError, UnreachableError } from '../core/types.ts';
import { becomeLine, installFileLine, needsTty } from './commands.ts';
import { Shell, quote, sh } from './quote.ts';
import { Semaphore } from './semaphore.ts';
import { type SshConnectOptions, openClient } from './ssh-connect.ts';

export interface SshOptions extends SshConnectOptions {
  /** Concurrent channel opens. OpenSSH allows 10 sessions; one is kept for SFTP. Default 8. */
  maxChannels?: number;
}

export { HostKeyChangedError } from './ssh-connect.ts';

/** Connect (with retries) and return the host's connection. Throws UnreachableError. */
export async function connectSsh(host: HostConfig, opts: SshOptions): Promise<SshConnection> {
  const { client, jump } = await openClient(host, opts);
  return new SshConnection(host, client, jump, new Semaphore(opts.maxChannels ?? 8));
}

export class SshConnection implements Connection {
  readonly hostName: string;
  readonly stats: ConnectionStats = { execs: 0, bytesSent: 0 };
  /** Learned on the first sudo: does sudoers say `requiretty` for this user? */
  private requiresTty: boolean | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private homeDir: Promise<string> | undefined;
  private lost: string | undefined;
  /** Rejects when the connection drops: pending SFTP writes never settle on their own. */
  private readonly dropped: Promise<never>;

  constructor(
    readonly host: HostConfig,
    private readonly client: Client,
    private readonly jump: Client | undefined,
    private readonly channels: Semaphore,
  ) {
    this.hostName = host.name;
    let drop: (e: Error) => void = () => {};
    this.dropped = new Promise<never>((_, reject) => (drop = reject));
    this.dropped.catch(() => {});
    const onLost = (reason: string) => {
      this.lost ??= reason;
      drop(new UnreachableError(this.hostName, `connection lost: ${this.lost}`));
    };
    client.on('error', (e: Error) => onLost(e.message));
    client.on('close', () => onLost('connection closed'));
  }

  async exec(command: readonly string[] | Shell, opts: ExecOptions = {}): Promise<ExecResult> {
    const line = sh(command);
    // root needs no sudo, and minimal images may not even have it.
    const become = !!opts.sudo && this.host.become && this.host.user !== 'root';
    let result: ExecResult;
    let pty = false;
    if (!become) {
      result = await this.run(line.text, opts, false);
    } else {
      // A stream can be read only once: learn about requiretty before sending it.
      if (this.requiresTty === undefined && isStream(opts.stdin)) await this.probeTty();
      pty = this.requiresTty === true;
      result = pty ? await this.runWithTty(line, opts) : await this.run(becomeLine(line).text, opts, false);
      if (this.requiresTty === undefined) {
        this.requiresTty = needsTty(result.stderr);
        if ((pty = this.requiresTty)) result = await this.runWithTty(line, opts);
      }
    }
    if (result.code !== 0 && opts.check !== false) {
      // Under a pty the command's stderr arrives merged into stdout.
      throw new RemoteCommandError(this.hostName, line.text, result.code, pty ? result.stderr || result.stdout : result.stderr);
    }
    return result;
  }

  async writeFile(dest: string, content: Buffer | string, opts: WriteFileOptions = {}): Promise<void> {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    // Upload into the login user's home (writable without sudo, private), then one
    // exec installs it next to dest and renames. A cut transfer never reaches dest.
    const home = await Promise.race([this.home(), this.dropped]);
    const upload = `${home}/.cloudnova-upload-${randomBytes(6).toString('hex')}`;
    const sftp = await Promise.race([this.sftp(), this.dropped]);
    try {
      await Promise.race([putFile(sftp, upload, data), this.dropped]);
    } catch (err) {
      sftp.unlink(upload, () => {});
      throw this.lost ? new UnreachableError(this.hostName, `connection lost while uploading ${dest}: ${this.lost}`) : err;
    }
    this.stats.bytesSent += data.length;
    await this.exec(installFileLine(upload, dest, opts), { sudo: opts.sudo });
  }

  async close(): Promise<void> {
    if (this.lost) return void this.jump?.end();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
    this.jump?.end();
  }

  /**
   * sudo under a pty (requiretty). A pty's line discipline would mangle stdin
   * (binary data, EOF), so stdin goes first to a private file without sudo.
   */
  private async runWithTty(line: Shell, opts: ExecOptions): Promise<ExecResult> {
    if (opts.stdin === undefined) return this.run(becomeLine(line).text, opts, true);
    const file = `${await Promise.race([this.home(), this.dropped])}/.cloudnova-stdin-${randomBytes(6).toString('hex')}`;
    const saved = await this.run(new Shell(`umask 077 && cat > ${quote(file)}`).text, { stdin: opts.stdin }, false);
    if (saved.code !== 0) return saved;
    // Braces: the whole command line reads the file, not only its last simple command.
    const fromFile = new Shell(`{ ${line.text}; } < ${quote(file)}; rc=$?; rm -f ${quote(file)}; exit $rc`);
    return this.run(becomeLine(fromFile).text, { ...opts, stdin: undefined }, true);
  }

  private async probeTty(): Promise<void> {
    const r = await this.run(becomeLine(sh(['true'])).text, {}, false);
    this.requiresTty = needsTty(r.stderr);
  }

  private home(): Promise<string> {
    this.homeDir ??= this.sftp().then(
      (sftp) => new Promise<string>((resolve, reject) => sftp.realpath('.', (err, p) => (err ? reject(err) : resolve(p)))),
    );
    return this.homeDir;
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.assertAlive();
      this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
    });
    // A failed open must not be cached for the rest of the run.
    this.sftpSession.catch(() => (this.sftpSession = undefined));
    return this.sftpSession;
  }

  private assertAlive(): void {
    if (this.lost) throw new UnreachableError(this.hostName, `connection lost: ${this.lost}`);
  }

  /** One channel: exec, feed stdin, collect output. Counted in stats.execs. */
  private async run(text: string, opts: ExecOptions, pty: boolean): Promise<ExecResult> {
    const release = await this.channels.acquire();
    try {
      const { done } = await this.openExec(text, pty, opts);
      this.stats.execs++;
      return await Promise.race([done, this.dropped]);
    } finally {
      release();
    }
  }

  /**
   * sshd frees a session slot a moment after the channel's close reaches us, so an
   * open right after a close can hit MaxSessions ("open failed"): retry briefly.
   */
  private async openExec(text: string, pty: boolean, opts: ExecOptions): Promise<{ done: Promise<ExecResult> }> {
    for (let attempt = 1; ; attempt++) {
      this.assertAlive();
      try {
        // Listeners go on in the callback itself: exit-status can arrive in the same
        // read as the channel confirmation, and a plain 'exit' event is not buffered.
        return await new Promise<{ done: Promise<ExecResult> }>((resolve, reject) =>
          this.client.exec(text, pty ? { pty: { term: 'dumb' } } : {}, (err, ch) => (err ? reject(err) : resolve({ done: this.collect(ch, opts, pty) }))),
        );
      } catch (err) {
        if (this.lost) throw new UnreachableError(this.hostName, `connection lost: ${this.lost}`);
        if (!/Channel open failure/.test((err as Error).message) || attempt >= 40) throw err;
        await new Promise((r) => setTimeout(r, Math.min(10 * attempt, 100)));
      }
    }
  }

  private collect(channel: ClientChannel, opts: ExecOptions, pty: boolean): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let exit: { code: number; signal?: string } | undefined;
      let timedOut = false;
      let stdinError: Error | undefined;
      channel.on('data', (b: Buffer) => out.push(b));
      channel.stderr.on('data', (b: Buffer) => err.push(b));
      channel.on('exit', (code: number | null, signal?: string) => (exit = { code: code ?? 255, signal }));
      channel.on('error', () => {});
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            channel.signal('KILL');
            channel.close();
            // sshd may keep the session until the command exits (signals are best effort): do not wait.
            resolve({ code: 124, stdout: Buffer.concat(out).toString(), stderr: `${Buffer.concat(err).toString()}\ntimed out after ${opts.timeoutMs} ms` });
          }, opts.timeoutMs)
        : undefined;
      channel.on('close', () => {
        clearTimeout(timer);
        // A pty merges stderr into stdout and turns \n into \r\n.
        const stdout = Buffer.concat(out).toString();
        const clean = pty ? stdout.replace(/\r\n/g, '\n') : stdout;
        const stderr = Buffer.concat(err).toString();
        if (stdinError) return reject(stdinError);
        if (timedOut) return;
        if (!exit) return reject(new UnreachableError(this.hostName, `connection lost while running a command: ${this.lost ?? 'channel closed without exit status'}`));
        resolve({ code: exit.code, stdout: clean, stderr: exit.signal ? `${stderr}\nkilled by ${exit.signal}` : stderr });
      });
      this.sendStdin(channel, opts.stdin, (e) => {
        stdinError = e;
        channel.close();
      });
    });
  }

  private sendStdin(channel: ClientChannel, input: ExecOptions['stdin'], onError: (e: Error) => void): void {
    if (input === undefined) return void channel.end();
    if (typeof input === 'string' || Buffer.isBuffer(input)) {
      this.stats.bytesSent += Buffer.byteLength(input);
      return void channel.end(input);
    }
    const source = input instanceof Readable ? input : Readable.from(input as AsyncIterable<Buffer>);
    source.on('data', (b: Buffer | string) => (this.stats.bytesSent += Buffer.byteLength(b)));
    source.on('error', onError);
    source.pipe(channel);
  }
}

function isStream(x: ExecOptions['stdin']): boolean {
  return x !== undefined && typeof x !== 'string' && !Buffer.isBuffer(x);
}

/** Exclusive create (never follows a planted file), 0600, whole buffer, then close. */
function putFile(sftp: SFTPWrapper, path: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = sftp.createWriteStream(path, { flags: 'wx', mode: 0o600 });
    stream.on('error', reject);
    stream.on('close', () => resolve());
    stream.end(data);
  });
}
