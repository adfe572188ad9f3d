// nginx.conf for one host: pure (vars + host -> text). Which locations a host serves
// follows its groups: web hosts proxy / to the app; monitoring hosts serve /grafana/
// and /prometheus/; a host in both serves all three.
import { join } from 'node:path';
import type { HostConfig } from '../../lib/core/types.ts';
import { renderTemplate } from '../render-template.ts';
import { PORTS, REMOTE_ROOT, hostRoles, type StackVars } from '../stack-vars.ts';

const TEMPLATE = join(import.meta.dirname, 'templates', 'nginx.conf.ejs');

// https://ssl-config.mozilla.org/ intermediate (v5.7). The DHE suites stay unused
// without ssl_dhparam, which is fine: every current client speaks ECDHE.
export const MOZILLA_INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Where nginx finds things. Defaults are the paths inside the nginx container (= on the host). */
export interface NginxRuntime {
  /** The stack root; config folders below it (nginx/, tls/). */
  root: string;
  pidFile: string;
  errorLog: string;
  accessLog: string;
  mimeTypes: string;
  /** null: nginx's compiled-in temp folders. */
  tempDir: string | null;
  resolver: string;
  /** host:port of each upstream, resolved at request time. */
  upstreams: { app: string; grafana: string; prometheus: string };
}

export const DEFAULT_NGINX_RUNTIME: NginxRuntime = {
  root: REMOTE_ROOT,
  pidFile: '/run/nginx.pid',
  errorLog: '/dev/stderr',
  accessLog: '/dev/stdout',
  mimeTypes: '/etc/nginx/mime.types',
  tempDir: null,
  resolver: '127.0.0.11', // Docker's embedded DNS on a user-defined network
  upstreams: { app: `app:${PORTS.app}`, grafana: `grafana:${PORTS.grafana}`, prometheus: `prometheus:${PORTS.prometheus}` },
};

/** Files the nginx role must put on the host for this config (paths under runtime.root). */
export function nginxFilePaths(root = REMOTE_ROOT) {
  return {
    config: join(root, 'nginx', 'nginx.conf'),
    htpasswd: join(root, 'nginx', 'htpasswd'),
    certificate: join(root, 'tls', 'server.crt'),
    certificateKey: join(root, 'tls', 'server.key'),
  };
}

interface Location {
  match: string;
  lines: string[];
}

function proxyTo(variable: string, upstream: string, extra: string[] = []): string[] {
  // proxy_set_header in a location replaces the server's list, so each proxied
  // location carries the full set.
  return [
    `set $${variable} ${upstream};`,
    `proxy_pass http://$${variable};`,
    'proxy_http_version 1.1;',
    'proxy_set_header Host $http_host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto https;',
    ...extra,
  ];
}

function locationsFor(vars: StackVars, host: HostConfig, runtime: NginxRuntime, htpasswd: string): Location[] {
  const serves = hostRoles(host);
  const out: Location[] = [];
  if (serves.web) {
    out.push({ match: '/', lines: proxyTo('app_upstream', runtime.upstreams.app) });
  } else {
    out.push({ match: '/', lines: ['default_type text/plain;', 'return 404 "This host serves /grafana/ and /prometheus/ only.\\n";'] });
  }
  if (serves.monitoring) {
    out.push({ match: '= /prometheus', lines: ['return 301 /prometheus/;'] });
    out.push({
      match: '/prometheus/',
      lines: ['auth_basic "Prometheus";', `auth_basic_user_file ${htpasswd};`, ...proxyTo('prometheus_upstream', runtime.upstreams.prometheus)],
    });
    out.push({ match: '= /grafana', lines: ['return 301 /grafana/;'] });
    if (vars.grafana.enabled) {
      // Grafana Live uses websockets; serve_from_sub_path keeps the /grafana/ prefix upstream.
      out.push({
        match: '/grafana/',
        lines: proxyTo('grafana_upstream', runtime.upstreams.grafana, [
          'proxy_set_header Upgrade $http_upgrade;',
          'proxy_set_header Connection $connection_upgrade;',
        ]),
      });
    } else {
      out.push({ match: '/grafana/', lines: ['default_type text/plain;', 'return 503 "Grafana is not enabled on this host.\\n";'] });
    }
  }
  return out;
}

/** The https port a browser uses for this host: the var, else the published URL's port, else 443. */
export function publicHttpsPort(vars: StackVars, host: HostConfig): number {
  if (vars.nginx.redirectHttpsPort !== null) return vars.nginx.redirectHttpsPort;
  const port = host.urls?.https ? new URL(host.urls.https).port : '';
  return port ? Number(port) : 443;
}

export function renderNginxConfig(vars: StackVars, host: HostConfig, runtime: Partial<NginxRuntime> = {}): string {
  const rt: NginxRuntime = { ...DEFAULT_NGINX_RUNTIME, ...runtime };
  const files = nginxFilePaths(rt.root);
  const serves = hostRoles(host);
  const { hsts } = vars.nginx;
  const redirectHttpsPort = publicHttpsPort(vars, host);
  return renderTemplate(TEMPLATE, {
    hostName: host.name,
    serves: [serves.web && 'app', serves.monitoring && 'grafana, prometheus'].filter(Boolean).join(', ') || 'nothing but redirects',
    paths: { ...rt, certificate: files.certificate, certificateKey: files.certificateKey },
    listen: vars.nginx.listen,
    clientMaxBodySize: vars.nginx.clientMaxBodySize,
    resolver: rt.resolver,
    redirectPortSuffix: redirectHttpsPort === 443 ? '' : `:${redirectHttpsPort}`,
    ciphers: MOZILLA_INTERMEDIATE_CIPHERS,
    hsts: `max-age=${hsts.maxAge}${hsts.includeSubDomains ? '; includeSubDomains' : ''}`,
    locations: locationsFor(vars, host, rt, files.htpasswd),
  });
}
