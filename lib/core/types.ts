// The contracts every part of the engine shares. Roles and playbooks import
// from here; implementations live in lib/connection, lib/modules, lib/runner.
import type { Shell } from '../connection/quote.ts';

export type Vars = Record<string, unknown>;

// ---------------------------------------------------------------- inventory

export interface JumpHost {
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
}

/** A host as the run sees it: connection settings plus merged vars. */
export interface HostConfig {
  name: string;
  /** How the controller reaches it ('local' connection when `local` is true). */
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  jump?: JumpHost;
  /** How other hosts of the run reach it (lab network IP, VPC private IP). Defaults to address. */
  privateAddress?: string;
  /** Extra names and IPs the host answers to (TLS SANs, URLs). */
  publicNames?: string[];
  /** Published URLs as seen from the controller, when they differ from https://address/ (the lab). */
  urls?: { https?: string; http?: string };
  groups: string[];
  /** all-vars < group vars (in group order) < host vars. */
  vars: Vars;
  /** Use non-interactive sudo for privileged commands. */
  become: boolean;
  local?: boolean;
}

export interface Inventory {
  /** The environment chosen (lab, aws, ...). */
  env: string;
  /** The file it was loaded from, for error messages. */
  file: string;
  hosts: HostConfig[];
  /** group name -> host names; always has 'all'. */
  groups: Record<string, string[]>;
  vars: Vars;
  /** The environment's provider settings (lab, ec2) when its hosts are created at run time. */
  provider?: { kind: string; [key: string]: unknown };
  /** Hosts the inventory names for the provider to create, with their groups and merged vars. */
  planned?: Array<{ name: string; groups: string[]; vars: Vars }>;
}

// ---------------------------------------------------------------- connection

export interface ExecOptions {
  /** Run through `sudo -n` when the host has become: true. Default false. */
  sudo?: boolean;
  /** Bytes or a stream fed to the command's stdin (docker load, file contents). */
  stdin?: string | Buffer | NodeJS.ReadableStream;
  /** Throw RemoteCommandError on a non-zero exit. Default true. */
  check?: boolean;
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WriteFileOptions {
  /** Octal string, e.g. '0644'. */
  mode?: string;
  owner?: string;
  group?: string;
  sudo?: boolean;
  /**
   * Run before the rename with the temp file's path; a non-zero exit aborts and
   * leaves the old file in place (Ansible's `validate: nginx -t -c %s`).
   */
  validate?: (tempPath: string) => string[] | Shell;
}

export interface ConnectionStats {
  execs: number;
  bytesSent: number;
}

/** One connection per host per run, reused for every command and transfer. */
export interface Connection {
  readonly hostName: string;
  exec(command: readonly string[] | Shell, opts?: ExecOptions): Promise<ExecResult>;
  /** Atomic: temp file in the destination's folder, chmod/chown, validate, rename. */
  writeFile(dest: string, content: Buffer | string, opts?: WriteFileOptions): Promise<void>;
  readonly stats: ConnectionStats;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- modules

export interface Change {
  /** What changes, e.g. 'content', 'mode 0600 -> 0644', 'install nginx'. */
  what: string;
}

export interface Plan {
  /** Empty means the host is already as desired (status ok). */
  changes: Change[];
  /** Unified diff for --diff (files, rendered templates, security group rules). */
  diff?: string;
}

/**
 * gather (one remote call at most) -> plan (pure) -> apply.
 * A module value carries its desired state; `--check` stops after plan.
 */
export interface Module<F = unknown> {
  readonly kind: string;
  /** Short subject shown in output, e.g. '/opt/cloudnova/nginx/nginx.conf'. */
  readonly subject: string;
  gather(conn: Connection): Promise<F>;
  plan(facts: F): Plan;
  apply(conn: Connection, plan: Plan, facts: F): Promise<void>;
}

// ---------------------------------------------------------------- runner

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

export interface TaskOptions {
  notify?: string | string[];
  /** Extra tags; the role's name is always a tag of its tasks. */
  tags?: string[];
}

export interface TaskResult {
  status: TaskStatus;
  changed: boolean;
  plan?: Plan;
}

/** State that outlives a run, outside git (default .cloudnova/ in the project). */
export interface StateDir {
  readonly root: string;
  /** Absolute path of a file or folder under the state root (created parents). */
  path(...parts: string[]): string;
  /** Read a secret, or create it once with `make` and store it 0600. Returns the value; print only the path. */
  secret(name: string, make: () => string): Promise<{ value: string; path: string }>;
}

export interface RunOptions {
  check: boolean;
  diff: boolean;
  tags: string[];
  skipTags: string[];
  limit: string[];
  forks: number;
  verbose: boolean;
}

/** What a role's run() gets: the host, its connection, and ways to record work. */
export interface RoleContext {
  readonly host: HostConfig;
  readonly vars: Vars;
  readonly conn: Connection;
  /** The controller itself, for work done once before pushing (builds, certificates). */
  readonly controller: Connection;
  readonly inventory: Inventory;
  readonly options: RunOptions;
  readonly state: StateDir;
  /** Run a module as a task: gather, plan, and (unless --check) apply. Reported as a line. */
  task<F>(name: string, module: Module<F>, opts?: TaskOptions): Promise<TaskResult>;
  /**
   * Custom work reported as a task (verification, controller builds). `fn` returns
   * 'changed' or 'ok'. Under --check it is skipped unless `safeInCheck` is set.
   */
  step(
    name: string,
    fn: () => Promise<'ok' | 'changed' | void>,
    opts?: TaskOptions & { safeInCheck?: boolean },
  ): Promise<TaskResult>;
  /** Declare a handler; it runs once at the end of the role if a task notified it. */
  handler(name: string, fn: () => Promise<void>): void;
  /** Memoise controller-side work across hosts of the run (an image build, a download). */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Progress text for the spinner of the current task. */
  log(message: string): void;
}

export interface Role {
  name: string;
  /** Which inventory groups it runs on; default: the play's hosts. */
  groups?: string[];
  /**
   * Extra tags its tasks use (the role's name is always one). Declared here so
   * an unknown --tags/--skip-tags value is caught before any connection.
   */
  tags?: string[];
  run(ctx: RoleContext): Promise<void>;
}

export interface Play {
  name: string;
  /** Group names or host names. */
  hosts: string[];
  roles: Role[];
}

export interface TaskReport {
  role: string;
  task: string;
  status: TaskStatus;
  durationMs: number;
  error?: string;
}

export interface HostReport {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  execs: number;
  bytesSent: number;
  durationMs: number;
  error?: string;
  tasks: TaskReport[];
}

export interface RunReport {
  durationMs: number;
  hosts: Record<string, HostReport>;
}

// ---------------------------------------------------------------- errors

/** Bad input found before any host changes: names the file and the field. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

export class RemoteCommandError extends Error {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`${host}: command failed (exit ${code}): ${command}\n${trimOutput(stderr)}`);
    this.name = 'RemoteCommandError';
  }
}

export class UnreachableError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(`${host}: unreachable: ${message}`);
    this.name = 'UnreachableError';
  }
}

/** Last lines of command output, for error messages. */
export function trimOutput(text: string, maxLines = 15, maxChars = 2000): string {
  const lines = text.trimEnd().split('\n');
  let out = lines.slice(-maxLines).join('\n');
  if (out.length > maxChars) out = '…' + out.slice(-maxChars);
  return lines.length > maxLines ? `…\n${out}` : out;
}
