// DRAFT (written before the runner existed; the wiring step reviews and registers it).
import type { Role } from '../../lib/core/types.ts';
import { copy, directory } from '../../lib/modules/index.ts';
import { composeArgv, stackVars } from '../stack-vars.ts';
import { prometheusFiles, prometheusReloadArgv } from './files.ts';
import { prometheusFilePaths } from './render.ts';

export const prometheusRole: Role = {
  name: 'prometheus',
  groups: ['monitoring'],
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    ctx.handler('reload prometheus', async () => {
      const running = await ctx.conn.exec(composeArgv(vars, 'ps', '-q', 'prometheus'), { sudo: true, check: false });
      if (running.stdout.trim()) await ctx.conn.exec(prometheusReloadArgv(vars), { sudo: true });
    });
    await ctx.task(prometheusFilePaths().dir, directory(prometheusFilePaths().dir, { mode: '0755', sudo: true }));
    for (const f of prometheusFiles(vars, ctx.host, ctx.inventory)) {
      await ctx.task(f.dest, copy({ ...f, sudo: true }), { notify: 'reload prometheus' });
    }
  },
};
