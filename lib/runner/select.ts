// Which roles and hosts a run touches: tags, skip-tags and limit. All checks
// here run before any connection, so a typo costs nothing.
import type { HostConfig, Inventory, Play, Role, RunOptions } from '../core/types.ts';
import { ConfigError } from '../core/types.ts';

const CLI = 'command line';

/** Every role name is a tag; roles may declare the extra tags their tasks use. */
export function knownTags(plays: Play[]): string[] {
  const tags = new Set<string>();
  for (const play of plays) for (const role of play.roles) [role.name, ...(role.tags ?? [])].forEach((t) => tags.add(t));
  return [...tags].sort();
}

export function validateTags(plays: Play[], options: Pick<RunOptions, 'tags' | 'skipTags'>): void {
  const known = new Set(knownTags(plays));
  for (const [flag, list] of [['--tags', options.tags], ['--skip-tags', options.skipTags]] as const) {
    const unknown = list.filter((t) => !known.has(t));
    if (unknown.length) {
      throw new ConfigError(CLI, flag, `unknown tag${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `'${t}'`).join(', ')}; known tags: ${[...known].sort().join(', ')}`);
    }
  }
}

/** Ansible's special tag: a role tagged 'always' runs whatever --tags says (verification), unless skipped. */
export const ALWAYS = 'always';

export function roleSelected(role: Role, options: Pick<RunOptions, 'tags' | 'skipTags'>): boolean {
  if (options.skipTags.includes(role.name)) return false;
  if (options.tags.length === 0) return true;
  if (role.tags?.includes(ALWAYS) && !options.skipTags.includes(ALWAYS)) return true;
  return [role.name, ...(role.tags ?? [])].some((t) => options.tags.includes(t));
}

export function taskSelected(roleName: string, taskTags: string[] = [], options: Pick<RunOptions, 'tags' | 'skipTags'>): boolean {
  const tags = [roleName, ...taskTags];
  if (tags.some((t) => options.skipTags.includes(t))) return false;
  return options.tags.length === 0 || tags.includes(ALWAYS) || tags.some((t) => options.tags.includes(t));
}

/** Host names matched by group or host names, in inventory order. */
export function matchHosts(inventory: Inventory, patterns: string[]): HostConfig[] {
  const names = new Set<string>();
  for (const p of patterns) {
    for (const n of inventory.groups[p] ?? []) names.add(n);
    if (inventory.hosts.some((h) => h.name === p)) names.add(p);
  }
  return inventory.hosts.filter((h) => names.has(h.name));
}

function knownNames(inventory: Inventory): string {
  return [...Object.keys(inventory.groups), ...inventory.hosts.map((h) => h.name)].join(', ');
}

export function validateLimit(inventory: Inventory, limit: string[]): void {
  for (const entry of limit) {
    if (matchHosts(inventory, [entry]).length === 0) {
      throw new ConfigError(CLI, '--limit', `'${entry}' matches no host or group of env '${inventory.env}'; known: ${knownNames(inventory)}`);
    }
  }
}

export interface PlannedRole {
  role: Role;
  hosts: HostConfig[];
}

/** For each play, the selected roles and the hosts each runs on (after --limit and tags). */
export function selectWork(plays: Play[], inventory: Inventory, options: RunOptions): PlannedRole[][] {
  validateTags(plays, options);
  validateLimit(inventory, options.limit);
  const limited = options.limit.length ? new Set(matchHosts(inventory, options.limit).map((h) => h.name)) : undefined;
  const work = plays.map((play) => {
    for (const p of play.hosts) {
      if (matchHosts(inventory, [p]).length === 0 && !(p in inventory.groups)) {
        throw new ConfigError(inventory.file, `play '${play.name}' hosts`, `'${p}' is neither a group nor a host`);
      }
    }
    const playHosts = matchHosts(inventory, play.hosts).filter((h) => !limited || limited.has(h.name));
    return play.roles
      .filter((role) => roleSelected(role, options))
      .map((role) => ({
        role,
        hosts: role.groups ? playHosts.filter((h) => matchHosts(inventory, role.groups!).some((g) => g.name === h.name)) : playHosts,
      }))
      .filter((r) => r.hosts.length > 0);
  });
  if (limited && work.every((roles) => roles.length === 0)) {
    throw new ConfigError(CLI, '--limit', `${options.limit.join(',')} selects no host any play runs on`);
  }
  return work;
}
