// Every role that runs a container makes sure its image is on the host first
// (nginx and prometheus also validate their config with it). Push delivery
// streams the controller's build; a host that has that image id is skipped.
import type { RoleContext, TaskResult } from '../lib/core/types.ts';
import { image } from '../lib/modules/index.ts';
import type { StackVars } from './stack-vars.ts';

export function deliverImage(ctx: RoleContext, vars: StackVars, ref: string): Promise<TaskResult> {
  return ctx.task(`image ${ref}`, image({ image: ref, delivery: vars.images.delivery, controller: ctx.controller }));
}
