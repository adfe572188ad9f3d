// tls vars: the local CA (default) or bring-your-own certificate files.
import { at, checkObject, checkPositiveInt, checkString, type Where } from '../vars-check.ts';
import { ConfigError } from '../../lib/core/types.ts';

export interface TlsVars {
  /** Bring your own: paths on the controller. certFile and keyFile go together. */
  certFile: string | null;
  keyFile: string | null;
  /** The CA that verifies certFile (used by verify); null with your own cert means a public CA. */
  caFile: string | null;
  renewDaysBefore: number;
  /** Lifetime of certificates we issue; 397 days is what browsers accept for server certs. */
  validityDays: number;
}

export const TLS_DEFAULTS: TlsVars = {
  certFile: null,
  keyFile: null,
  caFile: null,
  renewDaysBefore: 30,
  validityDays: 397,
};

export function validateTlsVars(v: unknown, where: Where): TlsVars {
  const o = checkObject(v, where, ['certFile', 'keyFile', 'caFile', 'renewDaysBefore', 'validityDays']);
  const path = (key: string): string | null => (o[key] === null ? null : checkString(o[key], at(where, key)));
  const out: TlsVars = {
    certFile: path('certFile'),
    keyFile: path('keyFile'),
    caFile: path('caFile'),
    renewDaysBefore: checkPositiveInt(o.renewDaysBefore, at(where, 'renewDaysBefore')),
    validityDays: checkPositiveInt(o.validityDays, at(where, 'validityDays')),
  };
  if ((out.certFile === null) !== (out.keyFile === null)) {
    const missing = out.certFile === null ? 'certFile' : 'keyFile';
    throw new ConfigError(where.file, `${where.path}.${missing}`, 'certFile and keyFile go together: set both, or neither to use the local CA');
  }
  if (out.renewDaysBefore >= out.validityDays) {
    throw new ConfigError(where.file, `${where.path}.renewDaysBefore`, `must be less than validityDays (${out.validityDays}), or every run would renew`);
  }
  return out;
}
