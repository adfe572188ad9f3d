// Controller-side docker CLI calls. Arguments go to execve as an array, never
// through a shell, so names and labels need no quoting.
import { spawn } from 'node:child_process';
import { trimOutput } from '../core/types.ts';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerOptions {
  /** Throw on a non-zero exit (default true). */
  check?: boolean;
  timeoutMs?: number;
  input?: string | Buffer;
  /** Stream output to the terminal instead of capturing it (long builds with --verbose). */
  inherit?: boolean;
}

export class DockerCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`docker ${args.join(' ')} failed (exit ${code})\n${trimOutput(stderr)}`);
    this.name = 'DockerCommandError';
  }
}

/** Run any program with an argument array; used for docker, debootstrap, tar. */
export function run(program: string, args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', opts.inherit ? 'inherit' : 'pipe', opts.inherit ? 'inherit' : 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${program}: ${err.message}`));
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const result = { code: timedOut ? 124 : (code ?? 1), stdout, stderr: timedOut ? `${stderr}\n(timed out after ${opts.timeoutMs} ms)` : stderr };
      if (result.code !== 0 && opts.check !== false) {
        const err = program === 'docker' ? new DockerCommandError(args, result.code, result.stderr) : new Error(`${program} ${args.join(' ')} failed (exit ${result.code})\n${trimOutput(result.stderr || result.stdout)}`);
        reject(err);
      } else resolve(result);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export function docker(args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  return run('docker', args, opts);
}

/** The image's id, or undefined when it does not exist locally. */
export async function imageId(ref: string): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { check: false });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** One label of a local image ('' when missing). */
export async function imageLabel(ref: string, label: string): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, ref], { check: false });
  if (r.code !== 0) return undefined;
  const value = r.stdout.trim();
  return value === '<no value>' ? '' : value;
}
