import { ConfigError, type Role } from '../../lib/core/types.ts';
import { copy, directory } from '../../lib/modules/index.ts';
import { REMOTE_ROOT, generatePassword, stackVars } from '../stack-vars.ts';
import { reloadIfRunning } from '../services.ts';
import { deliverImage } from '../deliver-image.ts';
import { nginxFiles } from './files.ts';
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
    ctx.handler('reload nginx', () => reloadIfRunning(ctx, vars, 'nginx'));
    // The candidate config is checked with this image's `nginx -t` before it goes live.
    await deliverImage(ctx, vars, vars.images.nginx);
    await ctx.task(`${REMOTE_ROOT}/nginx`, directory(`${REMOTE_ROOT}/nginx`, { mode: '0755', sudo: true }));
    for (const f of nginxFiles(vars, ctx.host, line.value)) {
      await ctx.task(f.dest, copy({ ...f, sudo: true }), { notify: 'reload nginx' });
    }
  },
};
