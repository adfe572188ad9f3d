// Pure builders for the command lines both connections (local and ssh) send.
// Kept apart from the transports so unit tests can compare strings.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { WriteFileOptions } from '../core/types.ts';
import { Shell, quote, sh } from './quote.ts';

/**
 * Wrap a line for privileged execution. `-n` never prompts (a prompt would hang
 * the run); `sh -c` lets redirections and `&&` run as root too, not just the first word.
 */
export function becomeLine(line: Shell): Shell {
  return sh(['sudo', '-n', '--', 'sh', '-c', line.text]);
}

/** sudo's message when the sudoers file has `Defaults requiretty`. */
export function needsTty(stderr: string): boolean {
  return /must have a tty|sorry, you must have a tty/i.test(stderr);
}

/** A hidden, unique temp name next to `dest`: same filesystem, so the rename is atomic. */
export function tempNextTo(dest: string, suffix = randomBytes(6).toString('hex')): string {
  return posix.join(posix.dirname(dest), `.${posix.basename(dest)}.cloudnova-${suffix}`);
}

/**
 * One line that turns an uploaded file into `dest` atomically:
 * install (mode, owner) into a temp next to dest, validate it, rename over dest.
 * On any failure the temp is removed and the old dest is untouched.
 */
export function installFileLine(upload: string, dest: string, opts: WriteFileOptions, temp = tempNextTo(dest)): Shell {
  const install = ['install', '-m', opts.mode ?? '0644'];
  if (opts.owner) install.push('-o', opts.owner);
  if (opts.group) install.push('-g', opts.group);
  install.push(upload, temp);
  const steps: Shell[] = [sh(install)];
  // Without an explicit mode keep the existing file's mode (Ansible does the same).
  if (!opts.mode) steps.push(new Shell(`{ [ ! -e ${quote(dest)} ] || chmod --reference=${quote(dest)} ${quote(temp)}; }`));
  if (opts.validate) steps.push(new Shell(`{ ${sh(opts.validate(temp)).text}; }`));
  steps.push(sh(['mv', '-f', temp, dest]));
  const body = steps.map((s) => s.text).join(' && ');
  return new Shell(`${body}; rc=$?; rm -f ${quote(temp)} ${quote(upload)}; exit $rc`);
}
