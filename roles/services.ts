// Signals to running stack services, shared by the roles whose files they read.
// Before the compose role's first `up` nothing runs: there is nothing to reload.
import type { RoleContext } from '../lib/core/types.ts';
import { composeArgv, reloadArgv, type StackVars } from './stack-vars.ts';

export async function reloadIfRunning(ctx: RoleContext, vars: StackVars, service: string): Promise<void> {
  const running = await ctx.conn.exec(composeArgv(vars, 'ps', '-q', service), { sudo: true, check: false });
  if (running.stdout.trim()) await ctx.conn.exec(reloadArgv(vars, service), { sudo: true });
}
