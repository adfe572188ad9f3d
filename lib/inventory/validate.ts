// Run-time validation of an inventory definition: every error names the file
// and the field path ('environments.lab.hosts.web1.port'), before any connection.
import { isIP } from 'node:net';
import { ConfigError, type Vars } from '../core/types.ts';
import type { EnvironmentDefinition, GroupDefinition, HostDefinition, InventoryDefinition, JumpDefinition } from './define.ts';

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const GROUP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
// One DNS label (RFC 1123): letters, digits, inner hyphens, at most 63 characters.
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

class Checker {
  constructor(readonly file: string) {}

  fail(path: string, message: string): never {
    throw new ConfigError(this.file, path, message);
  }

  object(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, `expected an object, got ${show(value)}`);
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        const hint = closest(key, allowed);
        this.fail(`${path}.${key}`, `unknown key${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of: ${allowed.join(', ')}`);
      }
    }
    return obj;
  }

  /** A map whose keys are names (hosts, groups, environments). */
  record(value: unknown, path: string, name: RegExp, what: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, `expected an object of ${what}s, got ${show(value)}`);
    for (const key of Object.keys(value)) {
      if (!name.test(key)) this.fail(`${path}.${key}`, `invalid ${what} name: use letters, digits, '-', '_'${what === 'host' ? " or '.'" : ''}`);
    }
    return value as Record<string, unknown>;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, `expected a non-empty string, got ${show(value)}`);
    return value;
  }

  optString(value: unknown, path: string): string | undefined {
    return value === undefined ? undefined : this.string(value, path);
  }

  port(value: unknown, path: string): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) this.fail(path, `expected an integer 1-65535, got ${show(value)}`);
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(path, `expected true or false, got ${show(value)}`);
    return value;
  }

  vars(value: unknown, path: string): Vars | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, `expected an object of vars, got ${show(value)}`);
    return value as Vars;
  }

  strings(value: unknown, path: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(path, `expected an array of strings, got ${show(value)}`);
    value.forEach((v, i) => this.string(v, `${path}[${i}]`));
    return value as string[];
  }
}

/** Check the shape of everything; returns the same object, now typed. */
export function validateDefinition(raw: unknown, file: string): InventoryDefinition {
  const c = new Checker(file);
  const top = c.object(raw, '(default export)', ['defaultEnv', 'vars', 'environments']);
  c.vars(top.vars, 'vars');
  const envs = c.record(top.environments, 'environments', ENV_NAME, 'environment');
  if (Object.keys(envs).length === 0) c.fail('environments', 'define at least one environment');
  const defaultEnv = c.string(top.defaultEnv, 'defaultEnv');
  if (!(defaultEnv in envs)) c.fail('defaultEnv', `'${defaultEnv}' is not one of the environments: ${Object.keys(envs).join(', ')}`);
  for (const [name, env] of Object.entries(envs)) validateEnvironment(c, env, `environments.${name}`);
  return raw as InventoryDefinition;
}

function validateEnvironment(c: Checker, raw: unknown, path: string): EnvironmentDefinition {
  const env = c.object(raw, path, ['provider', 'vars', 'groups', 'hosts']);
  const provided = env.provider !== undefined;
  if (provided) {
    // Only `kind` is ours; the provider validates the rest with its own field paths.
    const p = env.provider;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) c.fail(`${path}.provider`, `expected an object with a kind, got ${show(p)}`);
    c.string((p as Record<string, unknown>).kind, `${path}.provider.kind`);
  }
  c.vars(env.vars, `${path}.vars`);
  const hosts = env.hosts === undefined ? {} : c.record(env.hosts, `${path}.hosts`, HOST_NAME, 'host');
  for (const [name, host] of Object.entries(hosts)) validateHost(c, host, `${path}.hosts.${name}`, provided);
  const groups = env.groups === undefined ? {} : c.record(env.groups, `${path}.groups`, GROUP_NAME, 'group');
  for (const [name, group] of Object.entries(groups)) {
    const gpath = `${path}.groups.${name}`;
    if (name === 'all') c.fail(gpath, `'all' is implicit (every host); put its vars in ${path}.vars`);
    const g = c.object(group, gpath, ['hosts', 'vars']) as GroupDefinition;
    const members = c.strings(g.hosts, `${gpath}.hosts`) ?? [];
    c.vars(g.vars, `${gpath}.vars`);
    members.forEach((m, i) => {
      // With a provider, group members name the hosts it will create; otherwise they must be declared.
      if (!provided && !(m in hosts)) c.fail(`${gpath}.hosts[${i}]`, `unknown host '${m}'; hosts of this environment: ${Object.keys(hosts).join(', ') || '(none)'}`);
      if (provided && !HOST_NAME.test(m)) c.fail(`${gpath}.hosts[${i}]`, `invalid host name '${m}'`);
      if (groups[m] !== undefined) c.fail(`${gpath}.hosts[${i}]`, `'${m}' is a group; groups list host names`);
    });
  }
  for (const name of Object.keys(hosts)) {
    if (name in groups) c.fail(`${path}.hosts.${name}`, `'${name}' is also a group name; a name must mean one thing (--limit uses both)`);
  }
  return env as EnvironmentDefinition;
}

const HOST_KEYS = ['address', 'port', 'user', 'privateKey', 'jump', 'privateAddress', 'publicNames', 'become', 'local', 'vars'] as const;

function validateHost(c: Checker, raw: unknown, path: string, provided: boolean): HostDefinition {
  // A provider supplies connection settings: the file may only add vars (and become).
  const allowed = provided ? ['vars', 'become'] : HOST_KEYS;
  const h = c.object(raw, path, allowed);
  c.optString(h.address, `${path}.address`);
  c.port(h.port, `${path}.port`);
  c.optString(h.user, `${path}.user`);
  c.optString(h.privateKey, `${path}.privateKey`);
  c.optString(h.privateAddress, `${path}.privateAddress`);
  c.strings(h.publicNames, `${path}.publicNames`)?.forEach((n, i) => {
    if (!isDnsNameOrIp(n)) c.fail(`${path}.publicNames[${i}]`, `${show(n)} is neither a DNS name (e.g. app.example.com, *.example.com) nor an IP address; it goes into the TLS certificate and nginx server_name`);
  });
  c.boolean(h.become, `${path}.become`);
  const local = c.boolean(h.local, `${path}.local`);
  c.vars(h.vars, `${path}.vars`);
  if (!provided && !local && h.address === undefined) c.fail(`${path}.address`, 'missing: set the address the controller connects to (or local: true)');
  if (h.jump !== undefined) {
    const j = c.object(h.jump, `${path}.jump`, ['address', 'port', 'user', 'privateKey']) as Partial<JumpDefinition>;
    c.string(j.address, `${path}.jump.address`);
    c.port(j.port, `${path}.jump.port`);
    c.optString(j.user, `${path}.jump.user`);
    c.optString(j.privateKey, `${path}.jump.privateKey`);
  }
  return h as HostDefinition;
}

/** A host name, a leading-wildcard name (*.example.com), or an IPv4/IPv6 address ([::1] allowed). */
export function isDnsNameOrIp(name: string): boolean {
  if (isIP(name) || (/^\[.*\]$/.test(name) && isIP(name.slice(1, -1)) === 6)) return true;
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.');
  // An all-digit last label would be a mistyped IPv4 address (10.0.0.256), not a name.
  return name.length <= 253 && labels.every((l) => DNS_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** The allowed key a typo most likely meant (edit distance <= 2). */
export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const o of options) {
    const d = distance(word.toLowerCase(), o.toLowerCase());
    if (d < bestDist) [best, bestDist] = [o, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
