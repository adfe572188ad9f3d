// Loading inventory.ts (or -i FILE): pick the environment, validate, resolve
// keys, merge vars (all < env < groups in declaration order < host), and later
// let providers add the hosts they created.
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// ssh2 is CommonJS and its `utils` is not a named export Node can see: reach it through the default export.
import ssh2 from 'ssh2';
import { ConfigError, type HostConfig, type Inventory, type JumpHost, type Vars } from '../core/types.ts';
import { stateRoot } from '../state.ts';
import type { EnvironmentDefinition, HostDefinition, InventoryDefinition } from './define.ts';
import { validateDefinition } from './validate.ts';

export const DEFAULT_INVENTORY = resolve(import.meta.dirname, '..', '..', 'inventory.ts');

export interface LoadInventoryOptions {
  /** -i/--inventory; default the project's inventory.ts. */
  file?: string;
  /** --env; default CLOUDNOVA_ENV, then the file's defaultEnv. */
  env?: string;
  /** --limit: checked against the names the file declares (the runner filters hosts). */
  limit?: string[];
  /** Where the default key (ssh/id_ed25519) lives. Default $CLOUDNOVA_STATE_DIR or .cloudnova/. */
  stateRoot?: string;
  /** Check each static host's private key file (exists, 0600, parses). Default true; false for commands that never connect (teardown). */
  checkKeys?: boolean;
}

interface Source {
  file: string;
  definition: InventoryDefinition;
  env: EnvironmentDefinition;
}

// Lets addProvidedHosts re-merge vars from the file the inventory came from.
const sources = new WeakMap<Inventory, Source>();

/** Load, validate and build the chosen environment. Throws ConfigError (file + field). */
export async function loadInventory(opts: LoadInventoryOptions = {}): Promise<Inventory> {
  const file = resolve(opts.file ?? DEFAULT_INVENTORY);
  const definition = validateDefinition(await importDefinition(file), file);
  const envName = opts.env || process.env.CLOUDNOVA_ENV || definition.defaultEnv;
  const inventory = buildInventory(definition, file, envName, opts.stateRoot ?? stateRoot());
  if (opts.checkKeys !== false) checkKeys(inventory);
  if (opts.limit?.length) checkLimit(inventory, opts.limit);
  return inventory;
}

async function importDefinition(file: string): Promise<unknown> {
  try {
    statSync(file);
  } catch {
    throw new ConfigError(file, '-i/--inventory', 'no such file');
  }
  try {
    if (extname(file) === '.json') return JSON.parse(await readFile(file, 'utf8'));
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (mod.default === undefined) throw new Error('no default export: write `export default defineInventory({...})`');
    return mod.default;
  } catch (e) {
    throw new ConfigError(file, '(module)', `cannot load the inventory: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Pure: the environment `envName` of a validated definition as an Inventory. */
export function buildInventory(definition: InventoryDefinition, file: string, envName: string, stateDir: string): Inventory {
  const env = definition.environments[envName];
  if (!env || !Object.hasOwn(definition.environments, envName)) {
    throw new ConfigError(file, '--env', `unknown environment '${envName}' (from --env, CLOUDNOVA_ENV or defaultEnv); environments: ${Object.keys(definition.environments).join(', ')}`);
  }
  const source: Source = { file, definition, env };
  const vars = { ...definition.vars, ...env.vars };
  const hosts: HostConfig[] = [];
  let planned: Inventory['planned'];
  if (env.provider) {
    planned = declaredNames(env).map((name) => ({ name, groups: groupsOf(env, name), vars: mergedVars(source, name, groupsOf(env, name), {}) }));
  } else {
    for (const [name, h] of Object.entries(env.hosts ?? {})) hosts.push(staticHost(source, envName, name, h, stateDir));
  }
  const inventory: Inventory = { env: envName, file, hosts, groups: groupMap(env, hosts), vars };
  if (env.provider) Object.assign(inventory, { provider: { ...env.provider }, planned });
  sources.set(inventory, source);
  return inventory;
}

/** Host names the file mentions, in first-seen order (groups, then hosts). */
function declaredNames(env: EnvironmentDefinition): string[] {
  const names = new Set<string>();
  for (const g of Object.values(env.groups ?? {})) for (const h of g.hosts ?? []) names.add(h);
  for (const h of Object.keys(env.hosts ?? {})) names.add(h);
  return [...names];
}

/** 'all' first, then the groups listing the host in declaration order (their vars merge in that order). */
function groupsOf(env: EnvironmentDefinition, host: string): string[] {
  return ['all', ...Object.entries(env.groups ?? {}).filter(([, g]) => g.hosts?.includes(host)).map(([name]) => name)];
}

/** all < env < groups (in `groups` order) < provider-supplied < host vars of the file. Shallow, as Ansible's default. */
function mergedVars(src: Source, host: string, groups: string[], provided: Vars): Vars {
  const layers: Array<Vars | undefined> = [src.definition.vars, src.env.vars];
  for (const g of groups) layers.push(src.env.groups?.[g]?.vars);
  layers.push(provided, src.env.hosts?.[host]?.vars);
  return Object.assign({}, ...layers.filter(Boolean));
}

function groupMap(env: EnvironmentDefinition, hosts: HostConfig[]): Record<string, string[]> {
  const groups: Record<string, string[]> = { all: hosts.map((h) => h.name) };
  for (const name of Object.keys(env.groups ?? {})) groups[name] = [];
  for (const h of hosts) for (const g of h.groups) if (g !== 'all') (groups[g] ??= []).push(h.name);
  return groups;
}

function staticHost(src: Source, envName: string, name: string, h: HostDefinition, stateDir: string): HostConfig {
  const field = `environments.${envName}.hosts.${name}`;
  const user = h.user ?? 'root';
  const privateKeyPath = keyPath(h.privateKey, src.file, stateDir);
  const groups = groupsOf(src.env, name);
  const host: HostConfig = {
    name,
    address: h.address ?? (h.local ? '127.0.0.1' : ''),
    port: h.port ?? 22,
    user,
    privateKeyPath,
    groups,
    vars: mergedVars(src, name, groups, {}),
    become: h.become ?? true,
  };
  if (h.local) host.local = true;
  if (h.privateAddress) host.privateAddress = h.privateAddress;
  if (h.publicNames) host.publicNames = [...h.publicNames];
  if (h.jump) {
    const jump: JumpHost = { address: h.jump.address, port: h.jump.port ?? 22, user: h.jump.user ?? user, privateKeyPath: h.jump.privateKey ? keyPath(h.jump.privateKey, src.file, stateDir) : privateKeyPath };
    host.jump = jump;
  }
  keyFields.set(host, field);
  return host;
}

const keyFields = new WeakMap<HostConfig, string>();

function keyPath(p: string | undefined, file: string, stateDir: string): string {
  if (!p) return join(stateDir, 'ssh', 'id_ed25519');
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(dirname(file), p);
}

/** Missing, group/other-readable, unparsable or encrypted keys fail now, with the field, not at connect time. */
function checkKeys(inventory: Inventory): void {
  for (const host of inventory.hosts) {
    if (host.local) continue;
    const field = keyFields.get(host) ?? `hosts.${host.name}`;
    checkKeyFile(inventory.file, `${field}.privateKey`, host.privateKeyPath);
    if (host.jump && host.jump.privateKeyPath !== host.privateKeyPath) checkKeyFile(inventory.file, `${field}.jump.privateKey`, host.jump.privateKeyPath);
  }
}

export function checkKeyFile(file: string, field: string, path: string): void {
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ConfigError(file, field, `private key ${path} is not a file`);
    mode = st.mode & 0o777;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(file, field, `private key file ${path} does not exist; create it (ssh-keygen -t ed25519 -N '' -f ${path}) or set privateKey`);
  }
  if (mode & 0o077) {
    throw new ConfigError(file, field, `private key ${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): ssh refuses such keys ("UNPROTECTED PRIVATE KEY FILE"); fix it with: chmod 600 ${path}`);
  }
  const problem = privateKeyProblem(path);
  if (problem) throw new ConfigError(file, field, problem);
}

// Far above any real key (an RSA-16384 PEM is ~13 KB): a bigger file was named by mistake.
const MAX_KEY_BYTES = 64 * 1024;

/** Why ssh2 could not log in with this file, or undefined if it holds a usable private key. Parsed the way ssh2 parses it at connect time. */
export function privateKeyProblem(path: string): string | undefined {
  const fix = `point privateKey at an unencrypted OpenSSH or PEM private key (not the .pub file)`;
  let data: Buffer;
  try {
    if (statSync(path).size > MAX_KEY_BYTES) return `not a private key (${path} is larger than ${MAX_KEY_BYTES / 1024} KB); ${fix}`;
    data = readFileSync(path);
  } catch (e) {
    return `cannot read private key ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) {
    // Runs are non-interactive: nobody can type a passphrase, and there is no agent support.
    if (/passphrase|encrypted/i.test(parsed.message)) {
      return `private key ${path} is encrypted with a passphrase, and runs are non-interactive (nothing can ask for it): use a key without a passphrase (ssh-keygen -p -N '' -f COPY removes it from a copy)`;
    }
    return `not a private key (${parsed.message}): ${path}; ${fix}`;
  }
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  if (keys.length === 0 || keys.some((k) => !k.isPrivateKey())) return `not a private key (${path} holds a public key); ${fix}`;
  return undefined;
}

/** Each --limit entry must name a host or group the file declares. */
export function checkLimit(inventory: Inventory, limit: string[]): void {
  const hostNames = inventory.planned ? inventory.planned.map((p) => p.name) : inventory.hosts.map((h) => h.name);
  // A provider env whose hosts are named only at run time (EC2 counts): the runner checks after provisioning.
  if (hostNames.length === 0 && inventory.provider) return;
  const groups = Object.keys(inventory.groups);
  for (const entry of limit) {
    if (!hostNames.includes(entry) && !groups.includes(entry)) {
      throw new ConfigError(inventory.file, '--limit', `'${entry}' matches no host or group of environment '${inventory.env}'; hosts: ${hostNames.join(', ') || '(none)'}; groups: ${groups.join(', ')}`);
    }
  }
}

/**
 * A provider's hosts joined to the run: each keeps the groups it carries plus the
 * groups the file lists it in, and its vars are re-merged with the file's
 * group and host vars. Hosts already present (same name) are replaced.
 */
export function addProvidedHosts(inventory: Inventory, provided: HostConfig[]): Inventory {
  const src = sources.get(inventory);
  const incoming = provided.map((h) => {
    if (!src) return { ...h, groups: unique(['all', ...h.groups]), vars: { ...inventory.vars, ...h.vars } };
    const groups = unique([...groupsOf(src.env, h.name), ...h.groups]);
    const fileHost = src.env.hosts?.[h.name];
    return { ...h, groups, vars: mergedVars(src, h.name, groups, h.vars), become: fileHost?.become ?? h.become };
  });
  const names = new Set(incoming.map((h) => h.name));
  const hosts = [...inventory.hosts.filter((h) => !names.has(h.name)), ...incoming];
  const groups: Record<string, string[]> = { all: hosts.map((h) => h.name) };
  for (const g of Object.keys(inventory.groups)) if (g !== 'all') groups[g] = [];
  for (const h of hosts) for (const g of h.groups) if (g !== 'all') (groups[g] ??= []).push(h.name);
  const next: Inventory = { ...inventory, hosts, groups };
  if (src) sources.set(next, src);
  return next;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
