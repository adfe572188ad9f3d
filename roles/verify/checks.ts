// Pure judges for the verify role: each takes what an endpoint answered and says
// whether it is good, and if not, what exactly is wrong (for the failure message).
// The wiring fetches, retries until timeout, and rolls back on a final failure.

export interface Judgement {
  ok: boolean;
  /** Empty when ok; otherwise one line per problem, ready to print. */
  problems: string[];
  /** True while the answer may still change on its own (first scrape pending): keep polling. */
  retry?: boolean;
  /**
   * The problems are about OTHER hosts (their targets seen from the monitoring host):
   * the run fails, but this host's own release is not rolled back for them.
   */
  foreign?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const good = (): Judgement => ({ ok: true, problems: [] });
const bad = (problems: string[], retry = false): Judgement => ({ ok: false, problems, retry });

/** A Prometheus API envelope: {status: 'success', data}; anything else is a problem. */
function apiData(response: unknown, what: string): { data?: unknown; problem?: string } {
  if (!isObject(response)) return { problem: `${what}: not a Prometheus API answer` };
  if (response.status !== 'success') return { problem: `${what}: ${String(response.errorType ?? 'error')}: ${String(response.error ?? 'status ' + String(response.status))}` };
  return { data: response.data };
}

export interface TargetState {
  job: string;
  instance: string;
  host?: string;
  health: string;
  lastError: string;
}

/** /api/v1/targets: every active target up. 'unknown' means not scraped yet: retry, not fail. */
export function judgePrometheusTargets(response: unknown, expectedJobs: string[] = [], ownHost?: string): Judgement & { down: TargetState[]; total: number } {
  const { data, problem } = apiData(response, 'targets');
  if (problem || !isObject(data) || !Array.isArray(data.activeTargets)) {
    return { ...bad([problem ?? 'targets: no activeTargets in the answer'], true), down: [], total: 0 };
  }
  const targets: TargetState[] = data.activeTargets.filter(isObject).map((t) => {
    const labels = isObject(t.labels) ? t.labels : {};
    return {
      job: String(labels.job ?? t.scrapePool ?? '?'),
      instance: String(labels.instance ?? t.scrapeUrl ?? '?'),
      host: labels.host === undefined ? undefined : String(labels.host),
      health: String(t.health ?? 'unknown'),
      lastError: String(t.lastError ?? ''),
    };
  });
  const down = targets.filter((t) => t.health !== 'up');
  const problems = down.map((t) => `${t.job} ${t.instance}${t.host ? ` (${t.host})` : ''} is ${t.health}${t.lastError ? `: ${t.lastError}` : ''}`);
  const jobs = new Set(targets.map((t) => t.job));
  const missingJobs = expectedJobs.filter((j) => !jobs.has(j));
  problems.push(...missingJobs.map((j) => `job ${j} has no targets (is the new prometheus.yml loaded?)`));
  // Right after a deploy a target may still be starting: down is retried until the deadline too.
  const pending = down.length > 0 || missingJobs.length > 0;
  const foreign = ownHost !== undefined && missingJobs.length === 0 && down.length > 0 && down.every((t) => t.host !== undefined && t.host !== ownHost);
  return { ok: problems.length === 0, problems, retry: pending, foreign, down, total: targets.length };
}

/** /api/v1/rules: every expected alert rule is loaded and healthy. */
export function judgeRulesLoaded(response: unknown, expectedAlerts: readonly string[]): Judgement {
  const { data, problem } = apiData(response, 'rules');
  if (problem || !isObject(data) || !Array.isArray(data.groups)) return bad([problem ?? 'rules: no groups in the answer'], true);
  const rules = data.groups.filter(isObject).flatMap((g) => (Array.isArray(g.rules) ? g.rules.filter(isObject) : []));
  const loaded = new Map(rules.filter((r) => r.type === 'alerting').map((r) => [String(r.name), r]));
  const problems = expectedAlerts.filter((a) => !loaded.has(a)).map((a) => `alert rule ${a} is not loaded`);
  for (const [name, r] of loaded) {
    if (r.health === 'err') problems.push(`alert rule ${name} fails to evaluate: ${String(r.lastError ?? '')}`);
  }
  return problems.length ? bad(problems, true) : good();
}

/** /api/v1/query: the query returned at least one sample (a vector, matrix or scalar). */
export function judgeQueryHasData(response: unknown, label: string): Judgement {
  const { data, problem } = apiData(response, label);
  if (problem) return bad([problem]);
  if (!isObject(data)) return bad([`${label}: no data in the answer`]);
  const result = data.result;
  if (data.resultType === 'scalar' || data.resultType === 'string') return good();
  if (Array.isArray(result) && result.length > 0) return good();
  return bad([`${label}: no data`], true);
}

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
}

const header = (a: HttpAnswer, name: string): string | undefined => {
  const v = a.headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** http -> https: a 301 whose Location is exactly the expected https URL (host, port and path kept). */
export function judgeRedirect(answer: HttpAnswer, expectedLocation: string): Judgement {
  const problems: string[] = [];
  if (answer.status !== 301) problems.push(`expected 301, got ${answer.status}`);
  const location = header(answer, 'location');
  if (location !== expectedLocation) problems.push(`expected Location ${expectedLocation}, got ${location ?? 'none'}`);
  return problems.length ? bad(problems) : good();
}

/** https://HOST/: 200 (the CA check happened in the TLS handshake) with HSTS. */
export function judgeHttpsHome(answer: HttpAnswer): Judgement {
  const problems: string[] = [];
  if (answer.status !== 200) problems.push(`expected 200, got ${answer.status}`);
  if (!/max-age=\d+/.test(header(answer, 'strict-transport-security') ?? '')) problems.push('no Strict-Transport-Security header');
  return problems.length ? bad(problems, answer.status >= 500) : good();
}

/** The app's /readyz: 200 and a JSON body saying so. */
export function judgeReadyz(answer: HttpAnswer): Judgement {
  if (answer.status !== 200) return bad([`/readyz answered ${answer.status}: ${(answer.body ?? '').slice(0, 200)}`], true);
  try {
    const body: unknown = JSON.parse(answer.body ?? '');
    if (isObject(body) && (body.status === 'ok' || body.ok === true || body.ready === true)) return good();
    return bad([`/readyz body does not say ok: ${(answer.body ?? '').slice(0, 200)}`], true);
  } catch {
    return bad(['/readyz body is not JSON'], true);
  }
}

/** Public URLs must not serve the app's metrics. */
export function judgeMetricsHidden(answer: HttpAnswer): Judgement {
  return answer.status === 404 || answer.status === 403 ? good() : bad([`/metrics is public: answered ${answer.status}`]);
}

/** Grafana /api/health: {"database": "ok"}. */
export function judgeGrafanaHealth(answer: HttpAnswer): Judgement {
  if (answer.status !== 200) return bad([`grafana /api/health answered ${answer.status}`], true);
  try {
    const body: unknown = JSON.parse(answer.body ?? '');
    return isObject(body) && body.database === 'ok' ? good() : bad([`grafana database is not ok: ${answer.body}`], true);
  } catch {
    return bad(['grafana /api/health body is not JSON'], true);
  }
}

/** Grafana /api/datasources/uid/UID/health: {"status": "OK"}. */
export function judgeDatasourceHealth(answer: HttpAnswer): Judgement {
  try {
    const body: unknown = JSON.parse(answer.body ?? '');
    if (answer.status === 200 && isObject(body) && body.status === 'OK') return good();
    return bad([`datasource health ${answer.status}: ${isObject(body) ? String(body.message ?? answer.body) : answer.body}`], true);
  } catch {
    return bad([`datasource health ${answer.status}: body is not JSON`], true);
  }
}

/** Fold several judgements into one (all must pass; retry if any asks for it). */
export function allOf(named: Record<string, Judgement>): Judgement {
  const problems = Object.entries(named).flatMap(([name, j]) => j.problems.map((p) => `${name}: ${p}`));
  const failing = Object.values(named).filter((j) => !j.ok);
  return { ok: problems.length === 0, problems, retry: failing.some((j) => j.retry), foreign: failing.length > 0 && failing.every((j) => j.foreign) };
}
