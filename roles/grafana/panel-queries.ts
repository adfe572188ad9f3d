// Every panel query of a dashboard as plain PromQL, so verify can run each against
// Prometheus and show that the panel would have data. Grafana's variables are
// replaced by values that select everything.
type Json = Record<string, unknown>;

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// Built-in intervals: 1m holds at least 2 samples at a 15s scrape interval.
const BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __interval_ms: '60000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/** Interval variables take their current value; every other variable matches anything. */
function variableValues(dashboard: Json): Map<string, { interval: string } | 'any'> {
  const out = new Map<string, { interval: string } | 'any'>();
  const list = isObject(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : [];
  for (const v of list) {
    if (!isObject(v) || typeof v.name !== 'string') continue;
    if (v.type === 'interval') {
      const current = isObject(v.current) && typeof v.current.value === 'string' ? v.current.value : '';
      out.set(v.name, { interval: /^\d+[smhdwy]$/.test(current) ? current : '1m' });
    } else {
      out.set(v.name, 'any');
    }
  }
  return out;
}

export function substituteVariables(expr: string, dashboard: Json): string {
  const vars = variableValues(dashboard);
  const ref = String.raw`(?:\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\])`;
  // label="$var" or label=~"$var" (possibly inside a larger regex) -> label=~".+"
  let out = expr.replace(new RegExp(String.raw`(\w+)\s*(=~|!~|=|!=)\s*"([^"]*)"`, 'g'), (whole, label: string, op: string, value: string) => {
    const names = [...value.matchAll(new RegExp(ref, 'g'))].map((m) => m[1] ?? m[2] ?? m[3]);
    if (!names.some((n) => vars.get(n) === 'any')) return whole;
    return op.startsWith('!') ? `${label}!~"^$"` : `${label}=~".+"`;
  });
  out = out.replace(new RegExp(ref, 'g'), (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (name in BUILTINS) return BUILTINS[name];
    const v = vars.get(name);
    if (v && v !== 'any') return v.interval;
    return whole;
  });
  return out;
}

function* allPanels(panels: unknown): Generator<Json> {
  if (!Array.isArray(panels)) return;
  for (const p of panels) {
    if (!isObject(p)) continue;
    yield p;
    yield* allPanels(p.panels); // collapsed rows keep their panels inside
  }
}

export function panelQueries(dashboard: Json): PanelQuery[] {
  const out: PanelQuery[] = [];
  const rows = Array.isArray(dashboard.rows) ? dashboard.rows.flatMap((r) => (isObject(r) && Array.isArray(r.panels) ? r.panels : [])) : [];
  for (const p of [...allPanels(dashboard.panels), ...allPanels(rows)]) {
    if (!Array.isArray(p.targets)) continue;
    for (const t of p.targets) {
      if (!isObject(t) || typeof t.expr !== 'string' || t.expr.trim() === '' || t.hide === true) continue;
      out.push({ panel: String(p.title ?? `panel ${String(p.id)}`), refId: String(t.refId ?? ''), expr: substituteVariables(t.expr, dashboard) });
    }
  }
  return out;
}
