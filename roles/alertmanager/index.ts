// alertmanager.yml is part of the alertmanager service's config-hash: the compose
// role recreates the container when it changes (silences persist in its volume).
import type { Role } from '../../lib/core/types.ts';
import { copy, directory } from '../../lib/modules/index.ts';
import { stackVars } from '../stack-vars.ts';
import { deliverImage } from '../deliver-image.ts';
import { alertmanagerFiles } from './files.ts';
import { alertmanagerFilePaths } from './render.ts';

export const alertmanagerRole: Role = {
  name: 'alertmanager',
  groups: ['monitoring'],
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const { dir } = alertmanagerFilePaths();
    await deliverImage(ctx, vars, vars.images.alertmanager);
    await ctx.task(dir, directory(dir, { mode: '0755', sudo: true }));
    for (const f of alertmanagerFiles(vars)) await ctx.task(f.dest, copy({ ...f, sudo: true }));
  },
};
