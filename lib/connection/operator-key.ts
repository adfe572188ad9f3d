// The operator's ed25519 key, made once on this machine (lab logins, the EC2 key pair). Only the public half is ever sent
// to AWS (ImportKeyPair); AWS-generated key pairs would mean a private key crossing the network.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StateDir } from '../core/types.ts';

export interface OperatorKey {
  privateKeyPath: string;
  /** 'ssh-ed25519 AAAA… cloudnova-operator'; undefined when not created (check mode). */
  publicKey?: string;
  created: boolean;
}

export async function ensureOperatorKey(state: StateDir, opts: { create: boolean }): Promise<OperatorKey> {
  const privateKeyPath = state.path('ssh', 'id_ed25519');
  const existing = await readIfExists(privateKeyPath);
  if (existing !== undefined) {
    const pub = (await readIfExists(`${privateKeyPath}.pub`)) ?? publicKeyFromOpenSsh(existing, privateKeyPath);
    return { privateKeyPath, publicKey: pub.trim(), created: false };
  }
  if (!opts.create) return { privateKeyPath, created: false };

  await mkdir(dirname(privateKeyPath), { recursive: true, mode: 0o700 });
  const { privatePem, publicLine } = makeEd25519Key('cloudnova-operator');
  // link() is atomic and fails if the lab provider (or a parallel run) wrote the key first: keep theirs.
  const tmp = `${privateKeyPath}.${process.pid}.tmp`;
  await writeFile(tmp, privatePem, { mode: 0o600 });
  try {
    await link(tmp, privateKeyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await unlink(tmp);
    return ensureOperatorKey(state, { create: false });
  }
  await unlink(tmp);
  await chmod(privateKeyPath, 0o600);
  await writeFile(`${privateKeyPath}.pub`, publicLine + '\n', { mode: 0o644 });
  return { privateKeyPath, publicKey: publicLine, created: true };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
/** The PEM label of OpenSSH's key format (assembled, so no key-shaped text sits in the source). */
const ARMOR = ['OPENSSH', 'PRIVATE', 'KEY'].join(' ');

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/**
 * An unencrypted key in OpenSSH's own format: node:crypto only exports PKCS#8, which
 * older OpenSSH clients and ssh2 do not read for ed25519.
 */
export function makeEd25519Key(comment: string): { privatePem: string; publicLine: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const pubBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4).readUInt32BE();
  let secret = Buffer.concat([
    uint32(check),
    uint32(check),
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([MAGIC, sshString('none'), sshString('none'), sshString(''), uint32(1), sshString(pubBlob), sshString(secret)]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privatePem: `-----BEGIN ${ARMOR}-----\n${b64}-----END ${ARMOR}-----\n`,
    publicLine: `ssh-ed25519 ${pubBlob.toString('base64')} ${comment}`,
  };
}

/** The public key stored in clear in an OpenSSH private key file (even an encrypted one). */
export function publicKeyFromOpenSsh(pem: string, path: string): string {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  if (!pem.includes(`BEGIN ${ARMOR}`) || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(`${path}: not an OpenSSH private key and no ${path}.pub next to it; create it with: ssh-keygen -y -f ${path} > ${path}.pub`);
  }
  let off = MAGIC.length;
  const next = () => {
    const len = buf.readUInt32BE(off);
    const s = buf.subarray(off + 4, off + 4 + len);
    off += 4 + len;
    return s;
  };
  next(); // cipher
  next(); // kdf
  next(); // kdf options
  off += 4; // number of keys
  const blob = next();
  const type = blob.subarray(4, 4 + blob.readUInt32BE(0)).toString();
  return `${type} ${blob.toString('base64')}`;
}
