// Restore the release before the current one (playbooks/rollback.ts): read the
// history and the current release in one call, decide (pure), switch, compose up.
import type { Role } from '../../lib/core/types.ts';
import { command, composeUp } from '../../lib/modules/index.ts';
import { REMOTE_ROOT, stackVars } from '../stack-vars.ts';
import { RELEASE_HISTORY, currentReleaseArgv, switchReleaseArgv } from '../releases.ts';

/** The newest release in the history that differs from the current one and still exists. */
export function previousRelease(history: string[], current: string, existing: string[]): string | undefined {
  for (const id of [...history].reverse()) if (id && id !== current && existing.includes(id)) return id;
  return undefined;
}


export const rollbackRole: Role = {
  name: 'rollback',
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const current = (await ctx.conn.exec(currentReleaseArgv(), { sudo: true, check: false })).stdout.trim();
    const facts = await ctx.conn.exec(['sh', '-c', 'cat "$1" 2>/dev/null; echo @@; ls "$2" 2>/dev/null', 'sh', RELEASE_HISTORY, `${REMOTE_ROOT}/releases`], { sudo: true });
    const [history = '', existing = ''] = facts.stdout.split('@@\n');
    const target = previousRelease(history.split('\n'), current, existing.split('\n'));
    if (!target) throw new Error(`${ctx.host.name}: no earlier release to restore (current ${current || 'none'}; history ${RELEASE_HISTORY})`);
    const sw = switchReleaseArgv(target);
    await ctx.task(`switch back to release ${target}`, command({ argv: sw.argv, unless: sw.unless }));
    await ctx.task(`compose up (${vars.project})`, composeUp({ project: vars.project, file: `${REMOTE_ROOT}/compose.yaml`, wait: true }));
  },
};
