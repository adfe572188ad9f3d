import type { Role } from '../../lib/core/types.ts';
import { command } from '../../lib/modules/index.ts';
import { stackVars } from '../stack-vars.ts';
import { DOCKER_PRESENT_PROBE, WAIT_FOR_CLOUD_INIT, archFromUname, detectDistro, dockerInstallCommands } from './plan.ts';

export const dockerRole: Role = {
  name: 'docker',
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    // One probe: engine answering and compose v2 present means nothing to install.
    const present = await ctx.conn.exec(DOCKER_PRESENT_PROBE, { sudo: true, check: false });
    if (present.code !== 0) {
      const facts = await ctx.conn.exec(['sh', '-c', 'cat /etc/os-release; echo @@arch; uname -m']);
      const [osRelease, arch] = facts.stdout.split('@@arch\n');
      const distro = detectDistro(osRelease);
      await ctx.task('wait for cloud-init', command({ argv: WAIT_FOR_CLOUD_INIT }));
      for (const argv of dockerInstallCommands(distro, archFromUname(arch ?? ''))) {
        await ctx.task(argv.slice(0, 4).join(' '), command({ argv, timeoutMs: 15 * 60_000 }));
      }
    }
    await ctx.task('docker service enabled and running', command({
      argv: ['systemctl', 'enable', '--now', 'docker'],
      unless: ['sh', '-c', 'systemctl is-enabled --quiet docker && systemctl is-active --quiet docker'],
    }));
    if (vars.docker.addLoginUserToGroup) {
      await ctx.task(`${ctx.host.user} in group docker`, command({
        argv: ['usermod', '-aG', 'docker', ctx.host.user],
        unless: ['sh', '-c', 'id -nG "$1" | tr " " "\\n" | grep -qx docker', 'sh', ctx.host.user],
      }));
    }
  },
};
