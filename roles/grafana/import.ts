// grafana.com dashboards imported by id: downloaded at deploy time, kept in the state
// folder's cache/ so reruns need no network, with a vendored copy in files/grafana/
// as the last resort for offline hosts. The cache holds the download as published;
// preparing it for our datasource is pure and cheap, so a changed uid needs no new download.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

export const VENDORED_DASHBOARDS = join(import.meta.dirname, '..', '..', 'files', 'grafana', 'dashboards');

export const dashboardDownloadUrl = (id: number, revision: number): string =>
  `https://grafana.com/api/dashboards/${id}/revisions/${revision}/download`;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Names of the datasource inputs (${DS_PROMETHEUS} ...) the export asks the importer to fill. */
function datasourceInputs(dashboard: Json): string[] {
  const inputs = Array.isArray(dashboard.__inputs) ? dashboard.__inputs : [];
  return inputs.filter((i): i is Json => isObject(i) && i.type === 'datasource' && typeof i.name === 'string').map((i) => i.name as string);
}

/**
 * What Grafana's import UI does, offline: every ${DS_...} reference becomes our
 * datasource uid, __inputs/__requires go, and the dashboard gets a stable uid.
 * Only inputs declared in __inputs as datasources are filled (we have one datasource,
 * Prometheus); an undeclared ${DS_...} is an error, not a guess.
 */
export function prepareImportedDashboard(original: Json, opts: { datasourceUid: string; dashboardUid: string }): Json {
  const names = new Set(datasourceInputs(original));
  const ref = /\$\{(DS_[A-Za-z0-9_]+)\}/g;
  const replaceIn = (s: string): string => s.replace(ref, (whole, name: string) => (names.has(name) ? opts.datasourceUid : whole));
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') {
      // Old exports name the datasource as a bare string; current Grafana wants {type, uid}.
      const whole = /^\$\{(DS_[A-Za-z0-9_]+)\}$/.exec(v);
      if (key === 'datasource' && whole && names.has(whole[1])) return { type: 'prometheus', uid: opts.datasourceUid };
      return replaceIn(v);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  const { __inputs: _i, __requires: _r, __elements: _e, ...rest } = original;
  const prepared = walk(rest) as Json;
  prepared.id = null;
  prepared.uid = opts.dashboardUid;
  const left = JSON.stringify(prepared).match(/\$\{DS_[A-Za-z0-9_]+\}/);
  if (left) throw new Error(`dashboard ${String(original.title)}: ${left[0]} left after import`);
  return prepared;
}

export interface ImportedDashboard {
  dashboard: Json;
  source: 'cache' | 'download' | 'vendored';
  /** One line for the run's output: where the JSON came from, and why. */
  note: string;
}

export interface ImportOptions {
  fetch: typeof fetch;
  /** The state folder's cache/ (created when missing). */
  cacheDir: string;
  datasourceUid: string;
  vendoredDir?: string;
  timeoutMs?: number;
}

function parseDashboard(text: string, from: string): Json {
  const json: unknown = JSON.parse(text);
  if (!isObject(json) || !Array.isArray(json.panels ?? json.rows)) throw new Error(`${from}: not a Grafana dashboard (no panels)`);
  return json;
}

/** The dashboard `id` at `revision`, prepared for our datasource: cache, else download (then cached), else the vendored copy. */
export async function importDashboard(id: number, revision: number, opts: ImportOptions): Promise<ImportedDashboard> {
  const cacheFile = join(opts.cacheDir, `grafana-dashboard-${id}-r${revision}.json`);
  const prepare = (json: Json) => prepareImportedDashboard(json, { datasourceUid: opts.datasourceUid, dashboardUid: `grafana-com-${id}` });
  if (existsSync(cacheFile)) {
    try {
      return { dashboard: prepare(parseDashboard(readFileSync(cacheFile, 'utf8'), cacheFile)), source: 'cache', note: `dashboard ${id} r${revision} from cache ${cacheFile}` };
    } catch {
      /* a damaged cache file is downloaded again */
    }
  }
  const url = dashboardDownloadUrl(id, revision);
  let failure: string;
  try {
    const res = await opts.fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    const dashboard = prepare(parseDashboard(text, url));
    mkdirSync(opts.cacheDir, { recursive: true, mode: 0o700 });
    writeFileSync(`${cacheFile}.tmp`, text);
    renameSync(`${cacheFile}.tmp`, cacheFile);
    return { dashboard, source: 'download', note: `dashboard ${id} r${revision} downloaded from ${url}, cached in ${cacheFile}` };
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  const vendored = join(opts.vendoredDir ?? VENDORED_DASHBOARDS, `${id}.json`);
  if (!existsSync(vendored)) {
    throw new Error(`dashboard ${id}: download from ${url} failed (${failure}) and there is no vendored copy at ${vendored}`);
  }
  return {
    dashboard: prepare(parseDashboard(readFileSync(vendored, 'utf8'), vendored)),
    source: 'vendored',
    note: `dashboard ${id}: download failed (${failure}); using the vendored copy ${vendored}`,
  };
}
