// Run a command, guarded like Ansible's `creates` / `removes` and a shell `unless`:
// with guards it is idempotent; without, it runs (and reports changed) every time.
import type { Connection, Module, Plan } from '../core/types.ts';
import { type Shell, sh } from '../connection/quote.ts';
import { batch, parseSections, section, succeedsProbe, testProbe } from './probe.ts';

export interface CommandSpec {
  argv: readonly string[] | Shell;
  /** Skip when this path exists (the command creates it). */
  creates?: string;
  /** Skip when this path does not exist (the command removes it). */
  removes?: string;
  /** Skip when this probe command exits 0. */
  unless?: readonly string[] | Shell;
  /** Privileged (sudo on hosts with become). Default true. */
  sudo?: boolean;
  timeoutMs?: number;
  /** Shown instead of the command line (when it carries a secret). */
  subject?: string;
}

export interface CommandFacts {
  createsExists?: boolean;
  removesExists?: boolean;
  unlessSucceeded?: boolean;
}

export function gatherCommandLine(spec: CommandSpec): Shell | undefined {
  const probes: Shell[] = [];
  if (spec.creates) probes.push(section('creates', testProbe('-e', spec.creates)));
  if (spec.removes) probes.push(section('removes', testProbe('-e', spec.removes)));
  if (spec.unless) probes.push(section('unless', succeedsProbe(spec.unless)));
  return probes.length ? batch(...probes) : undefined;
}

export function parseCommandFacts(stdout: string): CommandFacts {
  const s = parseSections(stdout);
  return {
    createsExists: s.creates === undefined ? undefined : s.creates === 'yes',
    removesExists: s.removes === undefined ? undefined : s.removes === 'yes',
    unlessSucceeded: s.unless === undefined ? undefined : s.unless === 'yes',
  };
}

export function planCommand(spec: CommandSpec, facts: CommandFacts): Plan {
  if (spec.creates && facts.createsExists) return { changes: [] };
  if (spec.removes && facts.removesExists === false) return { changes: [] };
  if (spec.unless && facts.unlessSucceeded) return { changes: [] };
  return { changes: [{ what: `run ${spec.subject ?? sh(spec.argv).text}` }] };
}

export function command(spec: CommandSpec): Module<CommandFacts> {
  const sudo = spec.sudo ?? true;
  return {
    kind: 'command',
    subject: spec.subject ?? sh(spec.argv).text,
    async gather(conn: Connection) {
      const line = gatherCommandLine(spec);
      if (!line) return {};
      return parseCommandFacts((await conn.exec(line, { sudo })).stdout);
    },
    plan: (facts) => planCommand(spec, facts),
    async apply(conn) {
      await conn.exec(spec.argv, { sudo, timeoutMs: spec.timeoutMs });
    },
  };
}
