// A host over SSH: ONE ssh2 connection per host per run, reused by every exec
// and every SFTP transfer, with channel opens bounded below OpenSSH's MaxSessions.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { Connection, ConnectionStats, ExecOptions, ExecResult, HostConfig, WriteFileOptions } from '../core/types.ts';
import { RemoteCommandError, UnreachableError } from '../core/types.ts';
import { becomeLine, installFileLine, needsTty } from './commands.ts';
import { type Shell, sh } from './quote.ts';
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

  constructor(
    readonly host: HostConfig,
    private readonly client: Client,
    private readonly jump: Client | undefined,
    private readonly channels: Semaphore,
  ) {
    this.hostName = host.name;
    client.on('error', (e: Error) => (this.lost ??= e.message));
    client.on('close', () => (this.lost ??= 'connection closed'));
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
      result = await this.run(becomeLine(line).text, opts, pty);
      if (this.requiresTty === undefined) {
        this.requiresTty = needsTty(result.stderr);
        if (this.requiresTty) result = await this.run(becomeLine(line).text, opts, (pty = true));
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
    const upload = `${await this.home()}/.cloudnova-upload-${randomBytes(6).toString('hex')}`;
    const sftp = await this.sftp();
    try {
      await putFile(sftp, upload, data);
    } catch (err) {
      sftp.unlink(upload, () => {});
      throw this.lost ? new UnreachableError(this.hostName, `connection lost while uploading ${dest}: ${this.lost}`) : err;
    }
    this.stats.bytesSent += data.length;
    await this.exec(installFileLine(upload, dest, opts), { sudo: opts.sudo });
  }

  async close(): Promise<void> {
    if (this.lost) return;
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
      const channel = await this.openExec(text, pty);
      this.stats.execs++;
      return await this.collect(channel, opts, pty);
    } finally {
      release();
    }
  }

  /**
   * sshd frees a session slot a moment after the channel's close reaches us, so an
   * open right after a close can hit MaxSessions ("open failed"): retry briefly.
   */
  private async openExec(text: string, pty: boolean): Promise<ClientChannel> {
    for (let attempt = 1; ; attempt++) {
      this.assertAlive();
      try {
        return await new Promise<ClientChannel>((resolve, reject) =>
          this.client.exec(text, pty ? { pty: { term: 'dumb' } } : {}, (err, ch) => (err ? reject(err) : resolve(ch))),
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
          }, opts.timeoutMs)
        : undefined;
      channel.on('close', () => {
        clearTimeout(timer);
        // A pty merges stderr into stdout and turns \n into \r\n.
        const stdout = Buffer.concat(out).toString();
        const clean = pty ? stdout.replace(/\r\n/g, '\n') : stdout;
        const stderr = Buffer.concat(err).toString();
        if (stdinError) return reject(stdinError);
        if (timedOut) return resolve({ code: 124, stdout: clean, stderr: `${stderr}\ntimed out after ${opts.timeoutMs} ms` });
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
