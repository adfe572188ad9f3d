// The one place where remote command lines are built. Every argument is quoted
// for POSIX sh; nothing else in the code base pastes values into shell text.

/** A command line already quoted by this module, safe to hand to a shell. */
export class Shell {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const SAFE = /^[A-Za-z0-9_\/.:=@%+,-]+$/;

/** Quote one argument for POSIX sh. */
export function quote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argument list as one quoted command line. */
export function sh(argv: readonly string[] | Shell): Shell {
  if (argv instanceof Shell) return argv;
  if (argv.length === 0) throw new Error('sh(): empty command');
  return new Shell(argv.map(quote).join(' '));
}

/** Steps joined with && : one round trip, stops at the first failure. */
export function and(...steps: ReadonlyArray<readonly string[] | Shell>): Shell {
  return new Shell(steps.map((s) => sh(s).text).join(' && '));
}

/** Steps joined with || : the first that succeeds wins. */
export function or(...steps: ReadonlyArray<readonly string[] | Shell>): Shell {
  return new Shell(steps.map((s) => `{ ${sh(s).text}; }`).join(' || '));
}

/** A pipeline a | b | c. */
export function pipe(...steps: ReadonlyArray<readonly string[] | Shell>): Shell {
  return new Shell(steps.map((s) => sh(s).text).join(' | '));
}

/** Run a command line under `sh -c` (needed for sudo, redirections built by this module). */
export function shC(line: Shell): string[] {
  return ['sh', '-c', line.text];
}

/** Redirect a command's stdout to a file: cmd > file. */
export function toFile(cmd: readonly string[] | Shell, file: string): Shell {
  return new Shell(`${sh(cmd).text} > ${quote(file)}`);
}

/** Discard stderr and stdout of a command: used for probes whose exit code is the answer. */
export function quiet(cmd: readonly string[] | Shell): Shell {
  return new Shell(`${sh(cmd).text} >/dev/null 2>&1`);
}
