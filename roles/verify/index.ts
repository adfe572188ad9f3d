// Polls every check until all pass or one fails for good (or the timeout); on failure
// after a release switch (releases/pending-rollback exists) it restores the previous
// release, then fails the run. A release that compose already saw unhealthy
// (releases/unhealthy) is restored at once, without waiting out the timeout.
import { readFileSync } from 'node:fs';
import type { Role, RoleContext } from '../../lib/core/types.ts';
import { REMOTE_ROOT, composeArgv, generatePassword, stackVars, type StackVars } from '../stack-vars.ts';
import { PENDING_ROLLBACK, UNHEALTHY_MARK, markFailedArgv, switchReleaseArgv } from '../releases.ts';
import { cloudnovaDashboard } from '../grafana/dashboard.ts';
import { importDashboard } from '../grafana/import.ts';
import { panelQueries } from '../grafana/panel-queries.ts';
import { DATASOURCE_UID } from '../grafana/provisioning.ts';
import { publicHttpsPort } from '../nginx/render.ts';
import { scrapeJobs } from '../prometheus/render.ts';
import { ALERT_NAMES } from '../prometheus/rules.ts';
import { allOf, type Judgement } from './checks.ts';
import { get } from './http.ts';
import { verifyChecks } from './plan.ts';

const COMPOSE_LINK = `${REMOTE_ROOT}/compose.yaml`;

interface ReleaseState {
  current: string;
  /** The release this run replaced, while the new one is unverified. */
  previous: string | null;
  /** Why compose saw the new release fail, when it did. */
  unhealthy: string | null;
}

/** The live release, the one to restore and why the new one failed early, in one call. */
async function releaseState(ctx: RoleContext): Promise<ReleaseState> {
  const script = 'readlink "$1" | sed -n "s|^releases/\\([^/]*\\)/compose.yaml$|\\1|p"; echo @@; cat "$2" 2>/dev/null; echo @@; cat "$3" 2>/dev/null; true';
  const r = await ctx.conn.exec(['sh', '-c', script, 'sh', COMPOSE_LINK, PENDING_ROLLBACK, UNHEALTHY_MARK], { sudo: true });
  const [current = '', pending = '', unhealthy = ''] = r.stdout.split('@@\n');
  const previous = pending.trim();
  return { current: current.trim(), previous: /^[0-9a-f]{12}$/.test(previous) ? previous : null, unhealthy: unhealthy.trim() || null };
}

async function rollback(ctx: RoleContext, vars: StackVars, release: ReleaseState): Promise<string | null> {
  const previous = release.previous;
  // Already live (a manual rollback.ts ran since): there is nothing to restore.
  if (!previous || previous === release.current) return null;
  // Remembered so that `rollback.ts` never walks back into it.
  if (release.current && release.current !== previous) await ctx.conn.exec(markFailedArgv(release.current), { sudo: true });
  const sw = switchReleaseArgv(previous);
  await ctx.conn.exec(sw.argv, { sudo: true });
  await ctx.conn.exec(composeArgv(vars, 'up', '-d', '--remove-orphans'), { sudo: true, timeoutMs: 10 * 60_000 });
  await ctx.conn.exec(['rm', '-f', PENDING_ROLLBACK, UNHEALTHY_MARK], { sudo: true });
  return previous;
}

const MAX_PROBLEM_CHARS = 300;

function failure(host: string, problems: string[], restored: string | null, foreign = false): Error {
  const tail = restored
    ? `\nrolled back to release ${restored}`
    : foreign
      ? `\nnot rolled back: the failing targets belong to other hosts, ${host}'s own services pass`
      : '\nnothing rolled back: this run did not switch to a new release';
  // A problem may quote a whole error page: its start says enough.
  const lines = problems.map((p) => (p.length > MAX_PROBLEM_CHARS ? `${p.slice(0, MAX_PROBLEM_CHARS)}…` : p));
  return new Error(`verification failed on ${host}:\n  ${lines.join('\n  ')}${tail}`);
}

export const verifyRole: Role = {
  name: 'verify',
  // Every run ends with verification, also `--tags nginx`; `--skip-tags verify` opts out.
  tags: ['always'],
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const caPath = vars.tls.caFile ?? (vars.tls.certFile === null ? ctx.state.path('tls', 'ca.crt') : null);
    const ca = caPath === null ? undefined : readFileSync(caPath, 'utf8');
    const prometheusAuth = { user: vars.nginx.basicAuthUser, password: (await ctx.state.secret('prometheus-basic-auth-password', generatePassword)).value };
    const grafanaAuth = { user: 'admin', password: (await ctx.state.secret('grafana-admin-password', generatePassword)).value };
    const dashboards: object[] = [cloudnovaDashboard()];
    for (const { id, revision } of vars.grafana.dashboards.import) {
      const r = await ctx.once(`grafana-dashboard-${id}-r${revision}`, () =>
        importDashboard(id, revision, { fetch, cacheDir: ctx.state.path('cache'), datasourceUid: DATASOURCE_UID }),
      );
      dashboards.push(r.dashboard);
    }
    const checks = verifyChecks({
      vars,
      host: ctx.host,
      inventory: ctx.inventory,
      httpsPort: publicHttpsPort(vars, ctx.host),
      alertNames: ALERT_NAMES,
      jobs: scrapeJobs(vars, ctx.host, ctx.inventory).map((j) => String(j.job_name)),
      panelQueries: dashboards.flatMap((d) => panelQueries(d as Record<string, unknown>)),
      datasourceUid: DATASOURCE_UID,
    });

    await ctx.step(`verify ${checks.length} checks`, async () => {
      const release = await releaseState(ctx);
      if (release.unhealthy && release.previous) {
        throw failure(ctx.host.name, [`the new release never became healthy: ${release.unhealthy}`], await rollback(ctx, vars, release));
      }
      const deadline = Date.now() + vars.verify.timeoutSeconds * 1000;
      for (;;) {
        const results: Record<string, Judgement> = {};
        for (const c of checks) {
          const auth = c.auth === 'prometheus' ? prometheusAuth : c.auth === 'grafana' ? grafanaAuth : undefined;
          try {
            results[c.name] = c.judge(await get(c.url, { ca, auth }));
          } catch (err) {
            results[c.name] = { ok: false, problems: [`${c.url}: ${(err as Error).message}`], retry: true };
          }
        }
        const all = allOf(results);
        if (all.ok) {
          if (release.previous || release.unhealthy) await ctx.conn.exec(['rm', '-f', PENDING_ROLLBACK, UNHEALTHY_MARK], { sudo: true });
          return 'ok';
        }
        if (!all.retry || Date.now() > deadline) {
          // Other hosts' targets down: fail the run, but keep this host's (healthy) release.
          throw failure(ctx.host.name, all.problems, all.foreign ? null : await rollback(ctx, vars, release), all.foreign);
        }
        ctx.log(`waiting: ${all.problems[0]}`);
        await new Promise((r) => setTimeout(r, vars.verify.intervalSeconds * 1000));
      }
    }, { safeInCheck: false });
  },
};
