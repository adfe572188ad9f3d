// Command-line flags shared by every playbook, plus the ones a playbook adds
// (lab.ts: --hosts N). A bad flag is exit 2 with one clear line, before anything runs.
import type { RunOptions } from '../core/types.ts';

export type FlagType = 'boolean' | 'string' | 'list' | 'integer';

export interface FlagSpec {
  /** Long name without dashes, e.g. 'skip-tags'. */
  name: string;
  /** One letter, e.g. 'i'. */
  short?: string;
  type: FlagType;
  /** Placeholder in --help, e.g. 'FILE'. */
  value?: string;
  description: string;
  /** For 'integer': smallest accepted value. */
  min?: number;
}

export type FlagValue = boolean | string | string[] | number;

export interface ParsedFlags {
  options: RunOptions;
  env?: string;
  inventory?: string;
  json?: string;
  yes: boolean;
  help: boolean;
  /** Every flag given, by long name (playbook flags included). */
  values: Record<string, FlagValue>;
}

/** Bad command line: the message names the flag; the caller exits 2. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export const COMMON_FLAGS: FlagSpec[] = [
  { name: 'env', type: 'string', value: 'NAME', description: 'environment of the inventory (default: $CLOUDNOVA_ENV or lab)' },
  { name: 'inventory', short: 'i', type: 'string', value: 'FILE', description: 'inventory module to load (default: inventory.ts)' },
  { name: 'tags', type: 'list', value: 'A,B', description: 'run only roles and tasks with these tags (every role name is a tag)' },
  { name: 'skip-tags', type: 'list', value: 'A,B', description: 'skip roles and tasks with these tags' },
  { name: 'limit', type: 'list', value: 'HOSTS', description: 'run only on these hosts or groups (comma list)' },
  { name: 'check', type: 'boolean', description: 'change nothing; print what would change' },
  { name: 'diff', type: 'boolean', description: 'print unified diffs of changed files' },
  { name: 'forks', type: 'integer', value: 'N', min: 1, description: 'hosts worked on at the same time (default: all)' },
  { name: 'json', type: 'string', value: 'FILE', description: 'write the run report as JSON to FILE' },
  { name: 'verbose', short: 'v', type: 'boolean', description: 'print every planned change and progress message' },
  { name: 'yes', short: 'y', type: 'boolean', description: 'answer yes to confirmations (destructive playbooks)' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

/**
 * A subset of COMMON_FLAGS for a playbook that must refuse the others: teardown
 * takes no --check, and a destructive command must not silently ignore one.
 */
export function commonFlags(...names: string[]): FlagSpec[] {
  return names.map((name) => {
    const flag = COMMON_FLAGS.find((f) => f.name === name);
    if (!flag) throw new Error(`no common flag --${name}`);
    return { ...flag };
  });
}

function allFlags(extra: FlagSpec[], common: FlagSpec[] = COMMON_FLAGS): FlagSpec[] {
  const flags = [...common];
  for (const f of extra) {
    if (flags.some((g) => g.name === f.name || (f.short && g.short === f.short))) throw new Error(`flag --${f.name} is defined twice`);
    flags.push(f);
  }
  return flags;
}

function convert(flag: FlagSpec, raw: string): FlagValue {
  const where = `--${flag.name}`;
  if (flag.type === 'list') {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) throw new FlagError(`${where}: expected a comma-separated list, got '${raw}'`);
    return items;
  }
  if (flag.type === 'integer') {
    if (!/^-?\d+$/.test(raw)) throw new FlagError(`${where}: expected a whole number, got '${raw}'`);
    const n = Number(raw);
    if (flag.min !== undefined && n < flag.min) throw new FlagError(`${where}: must be at least ${flag.min}, got ${n}`);
    return n;
  }
  if (raw === '') throw new FlagError(`${where}: expected a value`);
  return raw;
}

/** `common` narrows the shared flags (see commonFlags); the others are refused like unknown ones. */
export function parseFlags(argv: readonly string[], extra: FlagSpec[] = [], common: FlagSpec[] = COMMON_FLAGS): ParsedFlags {
  const flags = allFlags(extra, common);
  const values: Record<string, FlagValue> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let name: string;
    let inline: string | undefined;
    let flag: FlagSpec | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      flag = flags.find((f) => f.name === name);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      flag = flags.find((f) => f.short === arg[1]);
      name = arg;
    } else {
      throw new FlagError(`unexpected argument '${arg}' (see --help)`);
    }
    if (!flag) {
      const given = arg.split('=')[0];
      if (COMMON_FLAGS.some((f) => f.name === name || `-${f.short}` === name)) {
        throw new FlagError(`${given}: not accepted by this playbook; it takes only ${flags.map(flagNames).join(', ')}`);
      }
      throw new FlagError(`unknown flag '${given}' (see --help)`);
    }
    if (flag.type === 'boolean') {
      if (inline !== undefined) throw new FlagError(`--${flag.name} takes no value`);
      values[flag.name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next.length > 1 && !/^-\d/.test(next))) {
        throw new FlagError(`--${flag.name} needs a value (${flag.value ?? 'VALUE'})`);
      }
      raw = next;
      i++;
    }
    values[flag.name] = convert(flag, raw);
  }
  const str = (k: string) => values[k] as string | undefined;
  const list = (k: string) => (values[k] as string[] | undefined) ?? [];
  return {
    options: {
      check: values.check === true,
      diff: values.diff === true,
      tags: list('tags'),
      skipTags: list('skip-tags'),
      limit: list('limit'),
      // 0 = every host at once.
      forks: (values.forks as number | undefined) ?? 0,
      verbose: values.verbose === true,
    },
    env: str('env'),
    inventory: str('inventory'),
    json: str('json'),
    yes: values.yes === true,
    help: values.help === true,
    values,
  };
}

function flagNames(f: FlagSpec): string {
  return `${f.short ? `-${f.short}/` : ''}--${f.name}`;
}

export function helpText(usage: string, extra: FlagSpec[] = [], common: FlagSpec[] = COMMON_FLAGS): string {
  const rows = allFlags(extra, common).map((f) => {
    const names = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
    return [names, f.description] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  return `${usage}\n\nFlags:\n${rows.map(([n, d]) => `  ${n.padEnd(width)}${d}`).join('\n')}\n`;
}

/** The flags a script was given: drops node, the zx binary and the script path if present. */
export function scriptArgs(argv: readonly string[] = process.argv): string[] {
  // node [zx/cli.js] script.ts flags...: the last script-like path before the first flag.
  let last = 1;
  for (let i = 1; i < argv.length && !argv[i].startsWith('-'); i++) if (/\.(m?[jt]s)$/.test(argv[i])) last = i;
  return argv.slice(last + 1);
}
