// The thin entry every playbook calls: flags -> inventory -> plays -> prepare
// (providers add hosts) -> run -> recap, JSON, exit code. Bad input (flags,
// --json path, inventory, tags, limit) is one clear line and exit 2, before any
// connection; all but --limit on provider hosts also before prepare creates hosts.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Connection, HostConfig, Inventory, Play, RunOptions, StateDir } from '../core/types.ts';
import { ConfigError } from '../core/types.ts';
import { type FlagSpec, FlagError, type ParsedFlags, helpText, parseFlags, scriptArgs } from '../cli/flags.ts';
import { connect } from '../connection/index.ts';
import { loadInventory } from '../inventory/load.ts';
import { openState } from '../state.ts';
import { ConsoleReporter } from '../report/console.ts';
import { writeJsonReport } from '../report/json.ts';
import type { Reporter } from '../report/reporter.ts';
import { exitCodeFor, runPlaybook } from './run.ts';
import { validateTags } from './select.ts';

export interface PlaybookCli {
  /** Defaults to the script's own flags (process.argv after the script path). */
  argv?: readonly string[];
  /** First line of --help: what the playbook does. */
  describe: string;
  /** Playbook-specific flags (lab.ts: --hosts N); their values are in flags.values. */
  flags?: FlagSpec[];
  /**
   * Called before prepare (so a bad --tags costs no provisioning) and, when there is a prepare,
   * again with the inventory it returns: keep it free of side effects.
   */
  plays: (inventory: Inventory, flags: ParsedFlags) => Play[] | Promise<Play[]>;
  /** Providers create hosts here and return the inventory with them added. */
  prepare?: (inventory: Inventory, options: RunOptions, state: StateDir, flags: ParsedFlags) => Promise<Inventory>;
  /** Injected by tests; defaults are the project's inventory loader, state folder and connections. */
  deps?: Partial<CliDeps>;
}

export interface CliDeps {
  loadInventory: (args: { file?: string; env?: string; limit?: string[] }) => Promise<Inventory>;
  openState: () => Promise<StateDir>;
  connect: (host: HostConfig, state: StateDir) => Promise<Connection>;
  reporter: (flags: ParsedFlags) => Reporter;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Returns the exit code (also set on process.exitCode): 0 ok, 1 a host failed, 2 bad input. */
export async function runPlaybookCli(cli: PlaybookCli): Promise<number> {
  const code = await runCli(cli);
  process.exitCode = code;
  return code;
}

async function runCli(cli: PlaybookCli): Promise<number> {
  const deps = { ...defaultDeps, ...cli.deps };
  let flags: ParsedFlags;
  try {
    flags = parseFlags(cli.argv ?? scriptArgs(), cli.flags);
  } catch (e) {
    if (e instanceof FlagError) {
      deps.err(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (flags.help) {
    deps.out(helpText(cli.describe, cli.flags));
    return 0;
  }
  try {
    if (flags.json) checkJsonTarget(flags.json);
  } catch (e) {
    if (e instanceof FlagError) {
      deps.err(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const state = await deps.openState();
    let inventory = await deps.loadInventory({ file: flags.inventory, env: flags.env ?? process.env.CLOUDNOVA_ENV, limit: flags.options.limit });
    let plays = await cli.plays(inventory, flags);
    // prepare provisions (lab containers, EC2 instances): a typo in --tags must fail before that.
    validateTags(plays, flags.options);
    if (cli.prepare) {
      inventory = await cli.prepare(inventory, flags.options, state, flags);
      plays = await cli.plays(inventory, flags);
    }
    const report = await runPlaybook({
      plays,
      inventory,
      options: flags.options,
      state,
      connect: (host) => deps.connect(host, state),
      reporter: deps.reporter(flags),
    });
    if (flags.json) await writeJsonReport(flags.json, report);
    await writeJsonReport(state.path('reports', 'last-run.json'), report).catch(() => {});
    return exitCodeFor(report);
  } catch (e) {
    if (e instanceof ConfigError) {
      deps.err(`error: ${e.message}\n`);
      return 2;
    }
    // An engine bug or an unexpected failure outside any host: the stack helps only with --verbose.
    const detail = flags.options.verbose && e instanceof Error && e.stack ? e.stack : e instanceof Error ? e.message : String(e);
    deps.err(`error: ${detail}\n`);
    return 1;
  }
}

/**
 * --json FILE is written after the run: a bad path found then would cost the whole run's
 * report. Its folder must already exist (a typo there must not create folders).
 */
export function checkJsonTarget(file: string): void {
  const path = resolve(file);
  const parent = dirname(path);
  let target: ReturnType<typeof statSync> | undefined;
  try {
    target = statSync(path);
  } catch {
    // Not there yet: the usual case.
  }
  if (target?.isDirectory()) throw new FlagError(`--json ${file}: is a directory; give a file name, e.g. ${file.replace(/\/+$/, '')}/report.json`);
  let folder: ReturnType<typeof statSync>;
  try {
    folder = statSync(parent);
  } catch {
    throw new FlagError(`--json ${file}: folder ${parent} does not exist; create it first or pick another path`);
  }
  if (!folder.isDirectory()) throw new FlagError(`--json ${file}: ${parent} is not a folder`);
  try {
    accessSync(target ? path : parent, constants.W_OK);
  } catch {
    throw new FlagError(`--json ${file}: ${target ? path : `folder ${parent}`} is not writable`);
  }
}

const defaultDeps: CliDeps = {
  loadInventory: (args) => loadInventory(args),
  openState: () => openState(),
  connect: (host, state) => connect(host, { state }),
  reporter: (flags) => new ConsoleReporter({ check: flags.options.check, diff: flags.options.diff, verbose: flags.options.verbose }),
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
