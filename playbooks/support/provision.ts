// Providers create the hosts of environments that have none until run time:
// the lab (systemd containers on this machine) and EC2. Both hand back
// HostConfig[] that join the run's inventory with their groups and vars.
import { ConfigError, type Inventory, type RunOptions, type StateDir } from '../../lib/core/types.ts';
import { addProvidedHosts } from '../../lib/inventory/load.ts';
import { labNameProblem, provideLabHosts } from '../../lib/lab/index.ts';
import { ensureSystemDeps } from '../../lib/setup/system-deps.ts';
import { parseEc2Config, provisionEc2 } from '../../roles/ec2/index.ts';

const log = (message: string): void => void process.stderr.write(`provision: ${message}\n`);

/** Add the provider's hosts (created if missing, unless --check) to the inventory. */
export async function provisionHosts(inventory: Inventory, options: RunOptions, state: StateDir): Promise<Inventory> {
  const provider = inventory.provider;
  if (!provider) return inventory;
  switch (provider.kind) {
    case 'lab':
      return addProvidedHosts(inventory, await provisionLab(inventory, provider, state));
    case 'ec2': {
      const config = parseEc2Config(provider, { file: inventory.file, field: `environments.${inventory.env}.provider`, env: inventory.env });
      const { hosts } = await provisionEc2({ config, check: options.check, diff: options.diff, log, state });
      return addProvidedHosts(inventory, hosts);
    }
    default:
      throw new ConfigError(inventory.file, `environments.${inventory.env}.provider.kind`, `unknown provider '${provider.kind}' (expected lab or ec2)`);
  }
}

async function provisionLab(inventory: Inventory, provider: NonNullable<Inventory['provider']>, state: StateDir) {
  const field = `environments.${inventory.env}.provider`;
  const name = provider.name ?? 'lab';
  if (typeof name !== 'string') throw new ConfigError(inventory.file, `${field}.name`, 'expected a string');
  const problem = labNameProblem(name);
  if (problem) throw new ConfigError(inventory.file, `${field}.name`, problem);
  const planned = inventory.planned ?? [];
  if (planned.length === 0) {
    throw new ConfigError(inventory.file, `${field}`, 'the lab environment names no hosts: list them in groups (web: { hosts: [...] })');
  }
  // The lab is local and free: it is brought up even under --check, so the plan is real.
  await ensureSystemDeps({ purpose: 'lab' });
  return provideLabHosts({
    name,
    stateDir: state.root,
    hosts: planned.map((p) => ({ name: p.name, groups: p.groups.filter((g) => g !== 'all') })),
    log,
  });
}
