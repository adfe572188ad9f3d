// node-exporter runs on every host; its container is defined by the compose role
// (host /proc, /sys and / read-only, listening on the private address only).
// This role makes sure its image is there.
import type { Role } from '../../lib/core/types.ts';
import { stackVars } from '../stack-vars.ts';
import { deliverImage } from '../deliver-image.ts';

export const nodeExporterRole: Role = {
  name: 'node-exporter',
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    await deliverImage(ctx, vars, vars.images.nodeExporter);
  },
};
