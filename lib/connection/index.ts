// Choosing a transport for a host, and the run's pool: at most one connection
// per host, opened on first use, all closed at the end of the run.
import type { Connection, ConnectionStats, HostConfig, StateDir } from '../core/types.ts';
import { LocalConnection } from './local.ts';
import { type SshOptions, connectSsh } from './ssh.ts';

export { LocalConnection } from './local.ts';
export { HostKeyChangedError, SshConnection, connectSsh } from './ssh.ts';

export interface ConnectOptions extends Partial<SshOptions> {
  /** Where ssh/known_hosts lives, unless knownHostsFile is given. */
  state?: StateDir;
}

/** A local connection for `local: true` hosts, otherwise SSH. Throws UnreachableError. */
export async function connect(host: HostConfig, opts: ConnectOptions = {}): Promise<Connection> {
  if (host.local) return new LocalConnection({ hostName: host.name });
  const knownHostsFile = opts.knownHostsFile ?? opts.state?.path('ssh', 'known_hosts');
  if (!knownHostsFile) throw new Error('connect(): pass state or knownHostsFile (host keys are always checked against a file)');
  return connectSsh(host, { ...opts, knownHostsFile });
}

export class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>();

  constructor(
    private readonly opts: ConnectOptions,
    private readonly opener: (host: HostConfig, opts: ConnectOptions) => Promise<Connection> = connect,
  ) {}

  /** The host's one connection; concurrent callers share the same attempt (and its failure). */
  get(host: HostConfig): Promise<Connection> {
    let conn = this.open.get(host.name);
    if (!conn) {
      conn = this.opener(host, this.opts);
      // Observed here so a failure nobody awaits yet is not an unhandled rejection.
      conn.catch(() => {});
      this.open.set(host.name, conn);
    }
    return conn;
  }

  /** execs and bytes per host, for the run report. */
  async stats(): Promise<Record<string, ConnectionStats>> {
    const out: Record<string, ConnectionStats> = {};
    for (const [name, conn] of this.open) {
      const c = await conn.catch(() => undefined);
      if (c) out[name] = { ...c.stats };
    }
    return out;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
  }
}
