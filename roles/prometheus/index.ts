import type { Role } from '../../lib/core/types.ts';
import { copy, directory } from '../../lib/modules/index.ts';
import { stackVars } from '../stack-vars.ts';
import { reloadIfRunning } from '../services.ts';
import { deliverImage } from '../deliver-image.ts';
import { prometheusFiles } from './files.ts';
import { prometheusFilePaths } from './render.ts';

export const prometheusRole: Role = {
  name: 'prometheus',
  groups: ['monitoring'],
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    ctx.handler('reload prometheus', () => reloadIfRunning(ctx, vars, 'prometheus'));
    // promtool from this image checks the candidate config and rules before they go live.
    await deliverImage(ctx, vars, vars.images.prometheus);
    await ctx.task(prometheusFilePaths().dir, directory(prometheusFilePaths().dir, { mode: '0755', sudo: true }));
    for (const f of prometheusFiles(vars, ctx.host, ctx.inventory)) {
      await ctx.task(f.dest, copy({ ...f, sudo: true }), { notify: 'reload prometheus' });
    }
  },
};
