// The local CA and per-host certificates in the state folder (controller side):
// created once, reused on reruns, renewed when decideCertificate says so.
// Keys are written 0600; nothing here prints key material.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { decideCertificate, type ExistingCertificate } from './decide.ts';
import { parseSubjectAltName, selfsignedAltNames } from './sans.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_DAYS = 3650;
const CA_NAME = 'CloudNova Deploy local CA';

export interface CertificateFiles {
  caCert: string;
  cert: string;
  key: string;
}

export interface EnsureResult {
  files: CertificateFiles;
  /** 'reused', or why it was (re)issued. */
  action: 'reused' | { issued: string };
}

/** Write via a temp file and rename, so a crash never leaves half a key. */
function writeAtomic(path: string, content: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export const caFiles = (tlsDir: string) => ({ cert: join(tlsDir, 'ca.crt'), key: join(tlsDir, 'ca.key') });
export const hostFiles = (tlsDir: string, hostName: string) => ({
  cert: join(tlsDir, `${hostName}.crt`),
  key: join(tlsDir, `${hostName}.key`),
});

// Hosts run in parallel: on a first run each host's ensureCa would otherwise generate
// its own CA (generate() is async), the last write wins, and the other hosts get
// certificates that do not chain to ca.crt. One CA check at a time per folder.
const caQueue = new Map<string, Promise<unknown>>();

/** The CA in tlsDir, created when missing or within renewDaysBefore of its end (hosts then get new certificates). */
export function ensureCa(tlsDir: string, now = new Date(), renewDaysBefore = 30): Promise<{ cert: string; key: string; created: boolean }> {
  const next = (caQueue.get(tlsDir) ?? Promise.resolve()).catch(() => {}).then(() => ensureCaNow(tlsDir, now, renewDaysBefore));
  caQueue.set(tlsDir, next);
  return next;
}

async function ensureCaNow(tlsDir: string, now: Date, renewDaysBefore: number): Promise<{ cert: string; key: string; created: boolean }> {
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const files = caFiles(tlsDir);
  if (existsSync(files.cert) && existsSync(files.key)) {
    const ca = new X509Certificate(readFileSync(files.cert));
    // A run cut between writing ca.key and ca.crt leaves a pair that does not match: remake it.
    const matches = ca.checkPrivateKey(createPrivateKey(readFileSync(files.key)));
    if (matches && new Date(ca.validTo).getTime() - now.getTime() > renewDaysBefore * DAY_MS) return { ...files, created: false };
  }
  const pems = await generate([{ name: 'commonName', value: CA_NAME }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  writeAtomic(files.key, pems.private, 0o600);
  writeAtomic(files.cert, pems.cert, 0o644);
  return { ...files, created: true };
}

/** What the state folder holds for a host, in the shape decideCertificate reads. */
export function readExisting(certPath: string, keyPath: string, caCertPath: string): ExistingCertificate | null {
  if (!existsSync(certPath) || !existsSync(keyPath)) return null;
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    const ca = new X509Certificate(readFileSync(caCertPath));
    const key = createPrivateKey(readFileSync(keyPath));
    return {
      sans: parseSubjectAltName(cert.subjectAltName),
      notAfter: new Date(cert.validTo),
      signedByCurrentCa: cert.checkIssued(ca) && cert.verify(ca.publicKey),
      keyMatches: cert.checkPrivateKey(key),
    };
  } catch {
    return null; // unreadable files are replaced, as if missing
  }
}

/** The host's certificate in tlsDir: reused when still right, else issued by the local CA. */
export async function ensureHostCertificate(opts: {
  tlsDir: string;
  hostName: string;
  sans: string[];
  validityDays: number;
  renewDaysBefore: number;
  now?: Date;
}): Promise<EnsureResult> {
  const now = opts.now ?? new Date();
  const ca = await ensureCa(opts.tlsDir, now, opts.renewDaysBefore);
  const files = hostFiles(opts.tlsDir, opts.hostName);
  const decision = decideCertificate(readExisting(files.cert, files.key, ca.cert), opts.sans, now, opts.renewDaysBefore);
  const result = { caCert: ca.cert, cert: files.cert, key: files.key };
  if (decision === 'reuse') return { files: result, action: 'reused' };

  const pems = await generate([{ name: 'commonName', value: opts.hostName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000), // tolerate a host clock slightly behind
    notAfterDate: new Date(now.getTime() + opts.validityDays * DAY_MS),
    ca: { key: readFileSync(ca.key, 'utf8'), cert: readFileSync(ca.cert, 'utf8') },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: selfsignedAltNames(opts.sans) },
    ],
  });
  writeAtomic(files.key, pems.private, 0o600);
  writeAtomic(files.cert, pems.cert, 0o644);
  return { files: result, action: { issued: decision.renew } };
}

/** Bring your own: check the pair belongs together and report SANs the host would lack. */
export function checkOwnCertificate(certPath: string, keyPath: string, wantedSans: string[]): { missingSans: string[]; notAfter: Date } {
  const cert = new X509Certificate(readFileSync(certPath));
  const key = createPrivateKey(readFileSync(keyPath));
  if (!cert.checkPrivateKey(key)) {
    throw new Error(`${keyPath} is not the private key of ${certPath}: set vars.tls.keyFile to the matching key`);
  }
  const has = parseSubjectAltName(cert.subjectAltName);
  return { missingSans: wantedSans.filter((s) => !has.includes(s)), notAfter: new Date(cert.validTo) };
}
