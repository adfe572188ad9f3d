// DRAFT (written before the runner existed; the wiring step reviews and registers it).
import { ConfigError, type Role } from '../../lib/core/types.ts';
import { copy, directory } from '../../lib/modules/index.ts';
import { REMOTE_ROOT, composeArgv, generatePassword, stackVars } from '../stack-vars.ts';
import { nginxFiles, nginxReloadArgv } from './files.ts';
import { htpasswdLine, htpasswdLineMatches } from './htpasswd.ts';

export const nginxRole: Role = {
  name: 'nginx',
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const user = vars.nginx.basicAuthUser;
    const password = await ctx.state.secret('prometheus-basic-auth-password', generatePassword);
    // The salted line is stored too, so the htpasswd file is byte-identical across runs.
    const line = await ctx.state.secret('prometheus-basic-auth-htpasswd', () => htpasswdLine(user, password.value));
    if (!htpasswdLineMatches(line.value, user, password.value)) {
      throw new ConfigError(line.path, 'content', `does not match ${password.path} for user ${user}: delete ${line.path} to regenerate it`);
    }
    ctx.handler('reload nginx', async () => {
      // Before the compose role's first `up` there is nothing to reload.
      const running = await ctx.conn.exec(composeArgv(vars, 'ps', '-q', 'nginx'), { sudo: true, check: false });
      if (running.stdout.trim()) await ctx.conn.exec(nginxReloadArgv(vars), { sudo: true });
    });
    await ctx.task(`${REMOTE_ROOT}/nginx`, directory(`${REMOTE_ROOT}/nginx`, { mode: '0755', sudo: true }));
    for (const f of nginxFiles(vars, ctx.host, line.value)) {
      await ctx.task(f.dest, copy({ ...f, sudo: true }), { notify: 'reload nginx' });
    }
  },
};
