// ANSI colours, only when writing to a terminal (and NO_COLOR is not set).
export interface Paint {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (on: boolean, code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export function paint(enabled: boolean): Paint {
  return {
    green: wrap(enabled, '32'),
    yellow: wrap(enabled, '33'),
    red: wrap(enabled, '31'),
    cyan: wrap(enabled, '36'),
    dim: wrap(enabled, '2'),
    bold: wrap(enabled, '1'),
  };
}

export function colourWanted(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
