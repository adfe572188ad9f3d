// What the nginx role puts on a host, how a candidate is checked, and how it is applied.
import type { HostConfig } from '../../lib/core/types.ts';
import { REMOTE_ROOT, reloadArgv, type RemoteFile, type StackVars } from '../stack-vars.ts';
import { nginxFilePaths, renderNginxConfig } from './render.ts';

/**
 * `nginx -t` in the nginx image on a candidate file. The config folders are mounted
 * at the same paths as in the live container, so the candidate (a temp file next to
 * nginx.conf) and the certificates it names resolve as they will in production.
 */
export function nginxValidateArgv(vars: StackVars, candidate: string): string[] {
  return [
    'docker', 'run', '--rm', '--network', 'none',
    '-v', `${REMOTE_ROOT}/nginx:${REMOTE_ROOT}/nginx:ro`,
    '-v', `${REMOTE_ROOT}/tls:${REMOTE_ROOT}/tls:ro`,
    vars.images.nginx, 'nginx', '-t', '-q', '-c', candidate,
  ];
}

/**
 * nginx.conf (validated) and the basic-auth file. htpasswdLine comes from the state
 * folder (see htpasswd.ts: keep the stored line while it still matches the password,
 * so the file does not change on every run). Workers read it unprivileged: 0644, it is a hash.
 */
export function nginxFiles(vars: StackVars, host: HostConfig, htpasswdLine: string): RemoteFile[] {
  const paths = nginxFilePaths();
  return [
    { dest: paths.htpasswd, content: `${htpasswdLine}\n`, mode: '0644', secret: true },
    { dest: paths.config, content: renderNginxConfig(vars, host), mode: '0644', validate: (tmp) => nginxValidateArgv(vars, tmp) },
  ];
}

/** Handler: reload, not restart (in-flight requests finish, no dropped connections). */
export const nginxReloadArgv = (vars: StackVars): string[] => reloadArgv(vars, 'nginx');
