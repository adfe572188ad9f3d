// A tiny deterministic YAML emitter for the files we generate (compose, prometheus,
// alertmanager, grafana provisioning). Keys keep insertion order; a string is quoted
// (single quotes, or JSON style for control characters) whenever a plain scalar could be read as something else.
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

// '@' and '`' are reserved at the start of a plain scalar; '- ' would start a list item.
const PLAIN = /^([A-Za-z0-9_./$]|-(?=[^ ]))[A-Za-z0-9_./@$ :=,+-]*$/;
const AMBIGUOUS = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(inf|nan))$/i;

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`yaml: cannot write number ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const plain = PLAIN.test(v) && !AMBIGUOUS.test(v) && !v.includes(': ') && !v.endsWith(':') && !v.endsWith(' ') && !v.includes(' #');
  if (plain) return v;
  // Single quotes need no escapes but '' (readable PromQL); control characters need JSON style.
  return /[\x00-\x1f\x7f]/.test(v) ? JSON.stringify(v) : `'${v.replace(/'/g, "''")}'`;
}

const isScalar = (v: YamlValue): v is string | number | boolean | null => v === null || typeof v !== 'object';
const isEmpty = (v: YamlValue): boolean => (Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.values(v).every((x) => x === undefined));

function lines(v: YamlValue, indent: string): string[] {
  if (isScalar(v)) return [indent + scalar(v)];
  if (isEmpty(v)) return [indent + (Array.isArray(v) ? '[]' : '{}')];
  const out: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isScalar(item) || isEmpty(item)) {
        out.push(`${indent}- ${lines(item, '')[0]}`);
      } else {
        // The first line of a nested block goes after the dash: "- key: value".
        const inner = lines(item, indent + '  ');
        out.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
      }
    }
    return out;
  }
  for (const [key, item] of Object.entries(v)) {
    if (item === undefined) continue;
    const k = scalar(key);
    if (isScalar(item) || isEmpty(item)) out.push(`${indent}${k}: ${lines(item, '')[0]}`);
    else out.push(`${indent}${k}:`, ...lines(item, indent + '  '));
  }
  return out;
}

/** YAML text for a value; a header comment line is prepended when given. */
export function toYaml(value: YamlValue, header?: string): string {
  const head = header ? header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : '';
  return head + lines(value, '').join('\n') + '\n';
}
