// Writes the release, switches compose.yaml to it, and brings the project up; compose
// recreates exactly the services whose definition (image, flags, config-hash) changed.
import { dirname } from 'node:path';
import { UnreachableError, type Role } from '../../lib/core/types.ts';
import { command, composeUp, copy, directory } from '../../lib/modules/index.ts';
import { REMOTE_ROOT, hostRoles, stackVars } from '../stack-vars.ts';
import { deliverImage } from '../deliver-image.ts';
import { alertmanagerFilePaths, alertmanagerFlags, renderAlertmanagerConfig } from '../alertmanager/render.ts';
import { grafanaFilePaths, renderDashboardProvider, renderDatasources, renderGrafanaIni } from '../grafana/provisioning.ts';
import { nodeExporterContainer } from '../node-exporter/render.ts';
import { prometheusFlags } from '../prometheus/render.ts';
import { composeFiles } from './files.ts';
import { PENDING_ROLLBACK, UNHEALTHY_MARK, currentReleaseArgv, pruneReleasesArgv, switchReleaseArgv } from '../releases.ts';
import { configHash, type ComposeInput } from './render.ts';

export const composeRole: Role = {
  name: 'compose',
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const host = ctx.host;
    const grafana = grafanaFilePaths();
    // Only what a service reads at start; reloaded files (nginx.conf, prometheus.yml) stay out.
    const input: ComposeInput = {
      vars,
      host,
      configHashes: {
        alertmanager: configHash({ [alertmanagerFilePaths().config]: renderAlertmanagerConfig(vars) }),
        grafana: configHash({
          [grafana.ini]: renderGrafanaIni(vars, host),
          [grafana.datasources]: renderDatasources(),
          [grafana.dashboardProvider]: renderDashboardProvider(),
        }),
      },
      prometheusFlags: prometheusFlags(vars, host),
      alertmanagerFlags: alertmanagerFlags(),
      nodeExporter: nodeExporterContainer(vars),
    };
    const roles = hostRoles(host);
    const images = [vars.images.nodeExporter];
    if (roles.web) images.push(vars.images.app, vars.images.nginx);
    if (roles.monitoring) images.push(vars.images.prometheus, vars.images.alertmanager, vars.images.nginx);
    if (roles.monitoring && vars.grafana.enabled && vars.images.grafana) images.push(vars.images.grafana);
    for (const ref of new Set(images)) await deliverImage(ctx, vars, ref);
    const { releaseId, files } = composeFiles(input);
    for (const f of files) {
      await ctx.task(dirname(f.dest), directory(dirname(f.dest), { mode: '0755', sudo: true }));
      await ctx.task(`release ${releaseId}`, copy({ ...f, sudo: true }));
    }
    const previous = (await ctx.conn.exec(currentReleaseArgv(), { sudo: true, check: false })).stdout.trim();
    const sw = switchReleaseArgv(releaseId);
    if (previous && previous !== releaseId) {
      // Written BEFORE the switch: a run cut between the two must still let verify restore
      // it. Verify removes it once the new release passes.
      await ctx.task('remember the previous release', copy({ dest: PENDING_ROLLBACK, content: `${previous}\n`, mode: '0644', sudo: true }));
    }
    const switched = await ctx.task(`switch to release ${releaseId}`, command({ argv: sw.argv, unless: sw.unless }));
    try {
      await ctx.task(`compose up (${vars.project})`, composeUp({ project: vars.project, file: `${REMOTE_ROOT}/compose.yaml`, wait: true }));
    } catch (e) {
      // A new release that never gets healthy (an app image that exits at start) must not
      // stop the host here: that would leave it live with nothing restoring the previous
      // one. The task stays failed (the run fails); verify judges and rolls back.
      if (e instanceof UnreachableError || ctx.options.check) throw e;
      const pending = await ctx.conn.exec(['test', '-s', PENDING_ROLLBACK], { sudo: true, check: false });
      if (pending.code !== 0) throw e;
      const reason = (e instanceof Error ? e.message : String(e)).split('\n').filter(Boolean).pop() ?? 'compose up failed';
      await ctx.conn.exec(['sh', '-c', 'printf "%s\\n" "$1" > "$2"', 'sh', reason, UNHEALTHY_MARK], { sudo: true });
      ctx.log('the new release did not come up healthy: verify restores the previous release');
    }
    if (switched.changed) {
      await ctx.step(`keep the last ${vars.compose.keepReleases} releases`, async () => {
        const removed = (await ctx.conn.exec(pruneReleasesArgv(vars.compose.keepReleases), { sudo: true })).stdout.trim();
        return removed ? 'changed' : 'ok';
      });
    }
  },
};
