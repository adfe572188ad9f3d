// npx zx playbooks/lab.ts up [--hosts N] [--name LAB] | down [--name LAB] | status [--json] [--name LAB]
// The lab: local Debian hosts (systemd containers with sshd) standing in for cloud servers.
import { join } from 'node:path';
import { scriptArgs } from '../lib/cli/flags.ts';
import { ConfigError } from '../lib/core/types.ts';
import { DEFAULT_LAB, MAX_HOSTS_PER_LAB, defaultStateRoot, labDown, labNameProblem, labStatus, labUp, stateRootId, type LabStatus } from '../lib/lab/index.ts';
import { ensureSystemDeps } from '../lib/setup/system-deps.ts';

const HELP = `Usage: npx zx playbooks/lab.ts <command> [flags]

Commands:
  up        create the lab's hosts (idempotent: existing hosts are kept), wait for sshd;
            a lab made from another state folder (checkout) is refused, exit 2
  down      remove the lab's containers, network and volumes (nothing else), whoever made it
  status    each host's name, SSH address and port, published https/http URLs

Flags:
  --hosts N      up: number of hosts, named <lab>-1..N (default 2, at most ${MAX_HOSTS_PER_LAB})
  --name LAB     lab name (default ${DEFAULT_LAB}); another name is a separate lab with its own ports
  --json         status/up: print the lab as JSON on stdout
  -h, --help     show this help

State: .cloudnova/lab/<lab>/hosts.json ($CLOUDNOVA_STATE_DIR overrides .cloudnova); login key .cloudnova/ssh/id_ed25519.
`;

interface LabArgs {
  command: 'up' | 'down' | 'status';
  hosts?: number;
  name: string;
  json: boolean;
  help: boolean;
}

class UsageError extends Error {}

function parseLabArgs(args: string[]): LabArgs {
  const out: LabArgs = { command: 'status', name: DEFAULT_LAB, json: false, help: false };
  let command: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v.startsWith('-')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '-h' || flag === '--help') out.help = true;
    else if (flag === '--json') out.json = true;
    else if (flag === '--name') {
      out.name = value();
      const problem = labNameProblem(out.name);
      if (problem) throw new UsageError(`--name: ${problem}`);
    } else if (flag === '--hosts') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_HOSTS_PER_LAB) throw new UsageError(`--hosts: expected a whole number from 1 to ${MAX_HOSTS_PER_LAB}, got '${v}'`);
      out.hosts = Number(v);
    } else if (flag.startsWith('-')) throw new UsageError(`unknown flag '${flag}' (see --help)`);
    else if (command === undefined) command = flag;
    else throw new UsageError(`unexpected argument '${flag}' (see --help)`);
  }
  if (!out.help) {
    if (command !== 'up' && command !== 'down' && command !== 'status') throw new UsageError(`expected a command: up, down or status (see --help)`);
    out.command = command;
    if (out.hosts !== undefined && command !== 'up') throw new UsageError('--hosts applies to up only');
  }
  return out;
}

function printStatus(status: LabStatus): void {
  if (status.hosts.length === 0) {
    console.log(`lab ${status.name}: no hosts (npx zx playbooks/lab.ts up)`);
    return;
  }
  const rows = status.hosts.map((h) => [h.name, h.state, `${status.user}@${h.ssh.address} -p ${h.ssh.port}`, h.urls.https, h.urls.http, h.privateAddress]);
  const header = ['HOST', 'STATE', 'SSH', 'HTTPS', 'HTTP', 'LAB IP'];
  const widths = header.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  // A lab made from another state folder takes that folder's key (ours is not installed).
  const elsewhere = status.owner && status.owner !== stateRootId(defaultStateRoot()) ? status.owner : undefined;
  const key = elsewhere ? join(elsewhere, 'ssh', 'id_ed25519') : status.privateKeyPath;
  const knownHosts = elsewhere ? join(elsewhere, 'ssh', 'known_hosts') : status.knownHostsPath;
  if (elsewhere) console.log(`\nlab ${status.name} belongs to the state folder ${elsewhere}; log in with its key:`);
  // Our known_hosts (OpenSSH format) checks the host key and leaves ~/.ssh/known_hosts alone.
  console.log(`${elsewhere ? '' : '\n'}ssh -i ${key} -o UserKnownHostsFile=${knownHosts} -p ${status.hosts[0]!.ssh.port} ${status.user}@${status.hosts[0]!.ssh.address}`);
}

async function main(): Promise<number> {
  let args: LabArgs;
  try {
    args = parseLabArgs(scriptArgs());
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`lab.ts: ${err.message}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  await ensureSystemDeps({ purpose: 'lab' });
  const lab = { name: args.name };
  if (args.command === 'up') {
    const r = await labUp({ ...lab, hosts: args.hosts });
    if (args.json) console.log(JSON.stringify({ ...r.status, created: r.created, started: r.started, existing: r.existing }, null, 2));
    else {
      console.log(`lab ${args.name}: created ${r.created.length} [${r.created.join(' ')}], started ${r.started.length}, existing ${r.existing.length} [${r.existing.join(' ')}] in ${(r.durationMs / 1000).toFixed(1)} s\n`);
      printStatus(r.status);
    }
  } else if (args.command === 'down') {
    const r = await labDown(lab);
    const summary = { containers: r.containers, networks: r.networks, volumes: r.volumes };
    if (args.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(`lab ${args.name}: removed ${r.containers.length} containers, ${r.networks.length} networks, ${r.volumes.length} volumes`);
  } else {
    const status = await labStatus(lab);
    if (args.json) console.log(JSON.stringify(status, null, 2));
    else printStatus(status);
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`lab.ts: ${err instanceof Error ? err.message : String(err)}`);
  // ConfigError: the lab belongs to another state folder, or other bad input.
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
