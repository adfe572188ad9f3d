// The host's certificate and key as they go on the host, where nginx reads them.
import { readFileSync } from 'node:fs';
import { REMOTE_ROOT, type RemoteFile } from '../stack-vars.ts';

/** nginx's master (root) reads the key before dropping privileges: 0600 root is enough. */
export function tlsFiles(certPath: string, keyPath: string): RemoteFile[] {
  return [
    { dest: `${REMOTE_ROOT}/tls/server.crt`, content: readFileSync(certPath, 'utf8'), mode: '0644' },
    { dest: `${REMOTE_ROOT}/tls/server.key`, content: readFileSync(keyPath, 'utf8'), mode: '0600', owner: 'root', group: 'root', secret: true },
  ];
}
