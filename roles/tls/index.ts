// The host certificate is made on the controller (state folder tls/), then copied.
import type { Role } from '../../lib/core/types.ts';
import { copy, directory } from '../../lib/modules/index.ts';
import { REMOTE_ROOT, stackVars } from '../stack-vars.ts';
import { reloadIfRunning } from '../services.ts';
import { checkOwnCertificate, ensureHostCertificate, hostFiles } from './certificates.ts';
import { tlsFiles } from './files.ts';
import { desiredSans } from './sans.ts';
import { existsSync } from 'node:fs';

export const tlsRole: Role = {
  name: 'tls',
  async run(ctx) {
    const vars = stackVars(ctx.vars, ctx.inventory.file);
    const sans = desiredSans(ctx.host);
    let cert: string;
    let key: string;
    if (vars.tls.certFile !== null && vars.tls.keyFile !== null) {
      const own = checkOwnCertificate(vars.tls.certFile, vars.tls.keyFile, sans);
      if (own.missingSans.length) ctx.log(`your certificate does not cover ${own.missingSans.join(' ')}`);
      [cert, key] = [vars.tls.certFile, vars.tls.keyFile];
    } else {
      const tlsDir = ctx.state.path('tls');
      await ctx.step(`certificate for ${ctx.host.name} (${tlsDir})`, async () => {
        const r = await ensureHostCertificate({ tlsDir, hostName: ctx.host.name, sans, validityDays: vars.tls.validityDays, renewDaysBefore: vars.tls.renewDaysBefore });
        if (r.action !== 'reused') ctx.log(`issued: ${r.action.issued}`);
        return r.action === 'reused' ? 'ok' : 'changed';
      });
      ({ cert, key } = hostFiles(tlsDir, ctx.host.name));
      if (!existsSync(cert)) return; // --check on a first run: nothing issued yet, nothing to compare
    }
    // nginx rereads certificates on reload.
    ctx.handler('reload nginx', () => reloadIfRunning(ctx, vars, 'nginx'));
    await ctx.task(`${REMOTE_ROOT}/tls`, directory(`${REMOTE_ROOT}/tls`, { mode: '0755', sudo: true }));
    for (const f of tlsFiles(cert, key)) {
      await ctx.task(f.dest, copy({ ...f, sudo: true }), { notify: 'reload nginx' });
    }
  },
};
