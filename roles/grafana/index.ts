// Files are written even where Grafana does not run (the lab has no image): they are
// checked there, and verify runs their panel queries against Prometheus.
import { dirname } from 'node:path';
import type { Role } from '../../lib/core/types.ts';
import { copy, directory } from '../../lib/modules/index.ts';
import { generatePassword, stackVars } from '../stack-vars.ts';
import { grafanaFiles } from './files.ts';
import { importDashboard } from './import.ts';
import { DATASOURCE_UID } from './provisioning.ts';

export const grafanaRole: Role = {
  name: 'grafana',
  groups: ['monitoring'],
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const password = await ctx.state.secret('grafana-admin-password', generatePassword);
    const imported: Record<number, object> = {};
    for (const { id, revision } of vars.grafana.dashboards.import) {
      // Once per run on the controller, whatever the number of hosts.
      const result = await ctx.once(`grafana-dashboard-${id}-r${revision}`, () =>
        importDashboard(id, revision, { fetch, cacheDir: ctx.state.path('cache'), datasourceUid: DATASOURCE_UID }),
      );
      ctx.log(result.note);
      imported[id] = result.dashboard;
    }
    const files = grafanaFiles(vars, ctx.host, password.value, imported);
    for (const folder of new Set(files.map((f) => dirname(f.dest)))) {
      await ctx.task(folder, directory(folder, { mode: '0755', sudo: true }));
    }
    for (const f of files) await ctx.task(f.dest, copy({ ...f, sudo: true }));
  },
};
