// Subject alternative names: the desired set for a host, and the set a certificate
// has, in one normal form ('DNS:name' / 'IP:addr') so they compare as strings.
import { isIP } from 'node:net';
import type { HostConfig } from '../../lib/core/types.ts';

/** Canonical IPv6 text (node prints SAN IPv6 addresses expanded: 0:0:0:0:0:0:0:1). */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

export function sanOf(name: string): string {
  const bare = name.replace(/^\[|\]$/g, '');
  return isIP(bare) ? `IP:${canonicalIp(bare)}` : `DNS:${bare.toLowerCase()}`;
}

const sortUnique = (sans: string[]): string[] => [...new Set(sans)].sort();

/** Every name and IP the host answers to, plus localhost for checks on the host itself. */
export function desiredSans(host: HostConfig): string[] {
  const names = [host.address, host.privateAddress, ...(host.publicNames ?? []), 'localhost', '127.0.0.1'];
  return sortUnique(names.filter((n): n is string => !!n).map(sanOf));
}

/** Parse X509Certificate.subjectAltName ("DNS:a, IP Address:1.2.3.4") into the normal form. */
export function parseSubjectAltName(text: string | undefined): string[] {
  if (!text) return [];
  return sortUnique(
    text.split(', ').flatMap((entry) => {
      if (entry.startsWith('DNS:')) return [sanOf(entry.slice(4))];
      if (entry.startsWith('IP Address:')) return [`IP:${canonicalIp(entry.slice(11))}`];
      return [];
    }),
  );
}

/** selfsigned's subjectAltName entries for a normalised SAN list. */
export function selfsignedAltNames(sans: string[]): Array<{ type: 2; value: string } | { type: 7; ip: string }> {
  return sans.map((s) => (s.startsWith('IP:') ? { type: 7 as const, ip: s.slice(3) } : { type: 2 as const, value: s.slice(4) }));
}
