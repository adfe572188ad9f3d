// Every host's stack vars are validated before anything is provisioned or
// changed: a bad value is a ConfigError naming the inventory layer that set it
// (environments.lab.groups.web.vars.nginx.hsts.maxAge), not a failure of
// whichever role reads it first on some hosts.
import { pathToFileURL } from 'node:url';
import { ConfigError, type Inventory, type Vars } from '../../lib/core/types.ts';
import type { InventoryDefinition } from '../../lib/inventory/define.ts';
import { closest } from '../../lib/inventory/validate.ts';
import { STACK_DEFAULTS, stackVars } from '../../roles/stack-vars.ts';

/** Top-level var sections that belong to other parts than the stack roles. */
const OTHER_SECTIONS = ['ec2'];
const KNOWN_SECTIONS = [...Object.keys(STACK_DEFAULTS), ...OTHER_SECTIONS];
/** The groups the roles act on; any other group name is likely a typo. */
const ROLE_GROUPS = ['all', 'web', 'monitoring'];

interface Layer {
  field: string;
  vars: Vars | undefined;
}

/** The var layers of a host, most specific first (host, its groups from last to first, environment, all). */
export function varLayers(def: InventoryDefinition, env: string, host: string, groups: string[]): Layer[] {
  const e = def.environments[env];
  const layers: Layer[] = [{ field: `environments.${env}.hosts.${host}.vars`, vars: e?.hosts?.[host]?.vars }];
  for (const g of [...groups].reverse()) layers.push({ field: `environments.${env}.groups.${g}.vars`, vars: e?.groups?.[g]?.vars });
  layers.push({ field: `environments.${env}.vars`, vars: e?.vars }, { field: 'vars', vars: def.vars });
  return layers;
}

function has(vars: Vars | undefined, path: string[]): boolean {
  let node: unknown = vars;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/** The layer that sets `vars.a.b.c` (or its nearest parent) for this host. */
export function originOf(layers: Layer[], varField: string): string {
  const path = varField.replace(/^vars\.?/, '').split('.').filter(Boolean);
  for (let depth = path.length; depth > 0; depth--) {
    const layer = layers.find((l) => has(l.vars, path.slice(0, depth)));
    if (layer) return [layer.field, ...path].join('.');
  }
  return varField;
}

async function definitionOf(file: string): Promise<InventoryDefinition | undefined> {
  try {
    // Already loaded once by the inventory loader: the module cache answers.
    return ((await import(pathToFileURL(file).href)) as { default?: InventoryDefinition }).default;
  } catch {
    return undefined;
  }
}

/** Validate every host's stack vars; throws ConfigError with the real field path. */
export async function checkStackVars(inventory: Inventory): Promise<void> {
  const hosts = inventory.planned ?? inventory.hosts.map((h) => ({ name: h.name, groups: h.groups, vars: h.vars }));
  const def = await definitionOf(inventory.file);
  for (const host of hosts) {
    const layers = def ? varLayers(def, inventory.env, host.name, host.groups.filter((g) => g !== 'all')) : [];
    for (const key of Object.keys(host.vars)) {
      if (KNOWN_SECTIONS.includes(key)) continue;
      const hint = closest(key, KNOWN_SECTIONS);
      throw new ConfigError(inventory.file, originOf(layers, `vars.${key}`), `unknown var section${hint ? ` (did you mean '${hint}'?)` : ''}; known: ${KNOWN_SECTIONS.join(', ')}`);
    }
    try {
      stackVars(host.vars, inventory.file);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      throw new ConfigError(inventory.file, `${originOf(layers, e.field)} (host ${host.name})`, e.message.slice(`${e.file}: ${e.field}: `.length));
    }
  }
}

/**
 * Hosts the inventory lists by address must say which address is private: the app's
 * metrics port and node-exporter bind to it, and falling back to the public address
 * would publish them to the internet. (Lab and EC2 hosts get it from their provider.)
 */
export function checkPrivateAddresses(inventory: Inventory): void {
  for (const host of inventory.hosts) {
    if (host.local || host.privateAddress) continue;
    if (!host.groups.some((g) => g === 'web' || g === 'monitoring')) continue;
    throw new ConfigError(
      inventory.file,
      `environments.${inventory.env}.hosts.${host.name}.privateAddress`,
      'required for web and monitoring hosts: the app metrics (3000) and node-exporter (9100) listen there, reachable by the monitoring host only',
    );
  }
}

/** Group names no role acts on (a typo like `monitring` would silently deploy no monitoring). */
export function unusedGroups(inventory: Inventory): string[] {
  return Object.keys(inventory.groups).filter((g) => !ROLE_GROUPS.includes(g));
}
