// Every role that runs a container makes sure its image is on the host first
// (nginx and prometheus also validate their config with it). Images under our
// own name (cloudnova/*) are built on the controller and always pushed: the
// controller's build is streamed, skipped when the host has that image id.
// Other images follow vars.images.delivery (pull from their registry).
import type { RoleContext, TaskResult } from '../lib/core/types.ts';
import { image } from '../lib/modules/index.ts';
import type { StackVars } from './stack-vars.ts';

export function deliverImage(ctx: RoleContext, vars: StackVars, ref: string): Promise<TaskResult> {
  const delivery = isBuiltHere(ref) ? 'push' : vars.images.delivery;
  return ctx.task(`image ${ref}`, image({ image: ref, delivery, controller: ctx.controller }));
}

export function isBuiltHere(ref: string): boolean {
  return ref.startsWith('cloudnova/');
}
