// What verify asks of a host, as data: each check names a URL, the credentials it
// needs and the judge for the answer. The wiring fetches (trusting our CA), retries
// while a judgement says `retry`, and fails the run (and rolls back) at the timeout.
import type { HostConfig, Inventory } from '../../lib/core/types.ts';
import { hostRoles, publicHttpsUrl, type StackVars } from '../stack-vars.ts';
import {
  judgeDatasourceHealth, judgeGrafanaHealth, judgeHttpsHome, judgeMetricsHidden, judgePrometheusTargets,
  judgeQueryHasData, judgeReadyz, judgeRedirect, judgeRulesLoaded, type HttpAnswer, type Judgement,
} from './checks.ts';

export interface VerifyCheck {
  name: string;
  url: string;
  /** Basic-auth credentials to send: Prometheus behind nginx, or Grafana's admin. */
  auth?: 'prometheus' | 'grafana';
  /** Do not follow redirects (the redirect itself is what is checked). */
  noRedirect?: boolean;
  judge: (answer: HttpAnswer) => Judgement;
}

const json = (answer: HttpAnswer): unknown => {
  try {
    return JSON.parse(answer.body ?? '');
  } catch {
    return undefined;
  }
};

/** The https URL nginx's port-80 redirect must produce for `httpUrl`. */
export function expectedRedirect(httpUrl: string, httpsPort: number): string {
  const u = new URL(httpUrl);
  u.protocol = 'https:';
  u.port = httpsPort === 443 ? '' : String(httpsPort);
  return u.href;
}

export interface VerifyInput {
  vars: StackVars;
  host: HostConfig;
  inventory: Inventory;
  /** The https port redirects must name (nginx/render.ts publicHttpsPort). */
  httpsPort: number;
  /** Alert names that must be loaded (prometheus/rules.ts ALERT_NAMES). */
  alertNames: readonly string[];
  /** Prometheus scrape jobs that must have targets. */
  jobs: string[];
  /** Every dashboard panel query (grafana/panel-queries.ts), run against Prometheus. */
  panelQueries: Array<{ panel: string; expr: string }>;
  datasourceUid: string;
}

export function verifyChecks(input: VerifyInput): VerifyCheck[] {
  const { vars, host } = input;
  const base = publicHttpsUrl(host);
  const httpBase = host.urls?.http ?? `http://${new URL(base).hostname}/`;
  const probePath = 'cloudnova-verify/redirect?kept=1';
  const httpProbe = new URL(probePath, httpBase).href;
  const checks: VerifyCheck[] = [
    { name: 'http redirects to https', url: httpProbe, noRedirect: true, judge: (a) => judgeRedirect(a, expectedRedirect(httpProbe, input.httpsPort)) },
    { name: '/metrics not public', url: new URL('metrics', base).href, judge: judgeMetricsHidden },
  ];
  const roles = hostRoles(host);
  if (roles.web) {
    checks.push({ name: 'https home', url: base, judge: judgeHttpsHome }, { name: 'app ready', url: new URL('readyz', base).href, judge: judgeReadyz });
  }
  if (roles.monitoring) {
    const api = (path: string) => new URL(`prometheus/${path}`, base).href;
    checks.push(
      { name: 'prometheus ready', url: api('-/ready'), auth: 'prometheus', judge: (a) => (a.status === 200 ? { ok: true, problems: [] } : { ok: false, problems: [`/-/ready answered ${a.status}`], retry: true }) },
      { name: 'prometheus targets up', url: api('api/v1/targets?state=active'), auth: 'prometheus', judge: (a) => judgePrometheusTargets(json(a), input.jobs, host.name) },
      { name: 'alert rules loaded', url: api('api/v1/rules?type=alert'), auth: 'prometheus', judge: (a) => judgeRulesLoaded(json(a), input.alertNames) },
      ...input.panelQueries.map(
        (q): VerifyCheck => ({
          name: `panel "${q.panel}" has data`,
          url: api(`api/v1/query?query=${encodeURIComponent(q.expr)}`),
          auth: 'prometheus',
          judge: (a) => judgeQueryHasData(json(a), q.panel),
        }),
      ),
    );
    if (vars.grafana.enabled) {
      checks.push(
        { name: 'grafana health', url: new URL('grafana/api/health', base).href, judge: judgeGrafanaHealth },
        { name: 'grafana datasource', url: new URL(`grafana/api/datasources/uid/${input.datasourceUid}/health`, base).href, auth: 'grafana', judge: judgeDatasourceHealth },
      );
    }
  }
  return checks;
}
