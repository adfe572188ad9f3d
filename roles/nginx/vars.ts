// nginx vars: the public HTTPS front of every host.
import { at, checkBoolean, checkObject, checkPort, checkPositiveInt, checkString, type Where } from '../vars-check.ts';

export interface NginxVars {
  /** Ports nginx listens on inside its container (compose publishes them 1:1). */
  listen: { http: number; https: number };
  /**
   * The HTTPS port clients see, used in the 80 -> https redirect. Differs from
   * listen.https when something publishes 443 elsewhere (the lab: 127.0.0.1:8441).
   * null: the port of the host's urls.https when the inventory gives one, else 443.
   */
  redirectHttpsPort: number | null;
  hsts: { maxAge: number; includeSubDomains: boolean };
  clientMaxBodySize: string;
  /** User name for /prometheus/ basic auth; the password is generated in the state folder. */
  basicAuthUser: string;
}

export const NGINX_DEFAULTS: NginxVars = {
  listen: { http: 80, https: 443 },
  redirectHttpsPort: null,
  hsts: { maxAge: 63072000, includeSubDomains: true },
  clientMaxBodySize: '1m',
  basicAuthUser: 'admin',
};

export function validateNginxVars(v: unknown, where: Where): NginxVars {
  const o = checkObject(v, where, ['listen', 'redirectHttpsPort', 'hsts', 'clientMaxBodySize', 'basicAuthUser']);
  const listen = checkObject(o.listen, at(where, 'listen'), ['http', 'https']);
  const hsts = checkObject(o.hsts, at(where, 'hsts'), ['maxAge', 'includeSubDomains']);
  return {
    listen: {
      http: checkPort(listen.http, at(at(where, 'listen'), 'http')),
      https: checkPort(listen.https, at(at(where, 'listen'), 'https')),
    },
    redirectHttpsPort: o.redirectHttpsPort === null ? null : checkPort(o.redirectHttpsPort, at(where, 'redirectHttpsPort')),
    hsts: {
      maxAge: checkPositiveInt(hsts.maxAge, at(at(where, 'hsts'), 'maxAge')),
      includeSubDomains: checkBoolean(hsts.includeSubDomains, at(at(where, 'hsts'), 'includeSubDomains')),
    },
    clientMaxBodySize: checkString(o.clientMaxBodySize, at(where, 'clientMaxBodySize'), /^\d+[kmg]?$/, 'an nginx size such as 1m'),
    // A colon would end the user field of the htpasswd line.
    basicAuthUser: checkString(o.basicAuthUser, at(where, 'basicAuthUser'), /^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -'),
  };
}
