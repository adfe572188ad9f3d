// Batched fact gathering: several probes in one command line, one round trip.
// Each probe's output is preceded by a marker line so a probe that prints
// nothing (a missing file) still leaves an unambiguous, empty section.
import { Shell, quote, sh } from '../connection/quote.ts';

const MARK = '@@cloudnova:';

/** One probe: its stdout becomes section `key`; its stderr and exit code are ignored. */
export function section(key: string, probe: readonly string[] | Shell): Shell {
  return new Shell(`echo ${quote(MARK + key)}; { ${sh(probe).text}; } 2>/dev/null`);
}

/** Probes joined with ';' so each runs whatever the previous returned; the line exits 0. */
export function batch(...sections: Shell[]): Shell {
  return new Shell([...sections.map((s) => s.text), 'true'].join('; '));
}

/** Split batch output back into sections (trailing newline removed). */
export function parseSections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (key !== undefined) out[key] = lines.join('\n');
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith(MARK)) {
      flush();
      key = line.slice(MARK.length);
      lines = [];
    } else if (key !== undefined) {
      lines.push(line);
    }
  }
  flush();
  for (const k of Object.keys(out)) out[k] = out[k].replace(/\n+$/, '');
  return out;
}

/** Probe that prints 'yes' when the test succeeds: `[ -e PATH ] && echo yes`. */
export function testProbe(flag: '-e' | '-f' | '-d', path: string): Shell {
  return new Shell(`[ ${flag} ${quote(path)} ] && echo yes`);
}

/** Probe that prints 'yes' when the command exits 0. */
export function succeedsProbe(cmd: readonly string[] | Shell): Shell {
  return new Shell(`${sh(cmd).text} >/dev/null 2>&1 && echo yes`);
}
