// Whether the host certificate we have can stay. Pure: tested without files or clocks.

export interface ExistingCertificate {
  sans: string[];
  notAfter: Date;
  /** Signed by the CA currently in the state folder (false after the CA was replaced). */
  signedByCurrentCa: boolean;
  /** The key file matches the certificate. */
  keyMatches: boolean;
}

export type CertificateDecision = 'reuse' | { renew: string };

const DAY_MS = 24 * 60 * 60 * 1000;

export function decideCertificate(
  existing: ExistingCertificate | null,
  desiredSans: string[],
  now: Date,
  renewDaysBefore = 30,
): CertificateDecision {
  if (!existing) return { renew: 'no certificate yet' };
  if (!existing.keyMatches) return { renew: 'key does not match the certificate' };
  if (!existing.signedByCurrentCa) return { renew: 'not signed by the current CA' };
  const missing = desiredSans.filter((s) => !existing.sans.includes(s));
  const extra = existing.sans.filter((s) => !desiredSans.includes(s));
  if (missing.length || extra.length) {
    const parts = [missing.length ? `missing ${missing.join(' ')}` : '', extra.length ? `no longer wanted ${extra.join(' ')}` : ''];
    return { renew: `SANs changed: ${parts.filter(Boolean).join('; ')}` };
  }
  const daysLeft = Math.floor((existing.notAfter.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft < renewDaysBefore) {
    return { renew: daysLeft < 0 ? 'expired' : `expires in ${daysLeft} days (renewing ${renewDaysBefore} days before)` };
  }
  return 'reuse';
}
