// The /prometheus/ basic-auth file. {SSHA} (salted SHA-1) is implemented by nginx
// itself (ngx_crypt), so it does not depend on the crypt(3) of whatever libc the
// nginx image has. One SHA-1 round is weak against guessing a human password, but
// the password is 32 random characters generated once: guessing is not the threat.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One `user:{SSHA}base64(sha1(password + salt) + salt)` line. Pass the salt to get a stable file across runs. */
export function htpasswdLine(user: string, password: string, salt: Buffer = randomBytes(8)): string {
  if (user.includes(':') || user.includes('\n')) throw new Error(`htpasswd user must not contain ':' or newlines: ${JSON.stringify(user)}`);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `${user}:{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** Does this line accept user/password? Lets the wiring keep a stored line instead of re-salting every run. */
export function htpasswdLineMatches(line: string, user: string, password: string): boolean {
  const m = /^([^:]+):\{SSHA\}([A-Za-z0-9+/=]+)$/.exec(line.trim());
  if (!m || m[1] !== user) return false;
  const raw = Buffer.from(m[2], 'base64');
  if (raw.length <= 20) return false;
  const salt = raw.subarray(20);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return timingSafeEqual(digest, raw.subarray(0, 20));
}
