// Field checks shared by every role's vars.ts. Each throws ConfigError naming the
// inventory file and the full field path (vars.nginx.hsts.maxAge), so a typo is
// reported before any host changes.
import { ConfigError } from '../lib/core/types.ts';

export interface Where {
  file: string;
  path: string;
}

export const at = (where: Where, key: string | number): Where => ({
  file: where.file,
  path: typeof key === 'number' ? `${where.path}[${key}]` : `${where.path}.${key}`,
});

function fail(where: Where, message: string, value: unknown): never {
  throw new ConfigError(where.file, where.path, `${message}, got ${show(value)}`);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object whose keys are all known: a misspelt key is an error, not a silent default. */
export function checkObject(v: unknown, where: Where, known: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(v)) fail(where, 'expected an object', v);
  for (const key of Object.keys(v)) {
    if (!known.includes(key)) {
      throw new ConfigError(where.file, `${where.path}.${key}`, `unknown field; expected one of ${known.join(', ')}`);
    }
  }
  return v;
}

export function checkPositiveInt(v: unknown, where: Where): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(where, 'expected a positive integer', v);
  return v;
}

export function checkPort(v: unknown, where: Where): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) fail(where, 'expected a port number 1-65535', v);
  return v;
}

/** A share in (0, 1], e.g. 0.05 for 5 %. */
export function checkRatio(v: unknown, where: Where): number {
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) fail(where, 'expected a ratio between 0 and 1 (0.05 = 5%)', v);
  return v;
}

export function checkPercent(v: unknown, where: Where): number {
  if (typeof v !== 'number' || !(v > 0 && v < 100)) fail(where, 'expected a percentage between 0 and 100', v);
  return v;
}

export function checkBoolean(v: unknown, where: Where): boolean {
  if (typeof v !== 'boolean') fail(where, 'expected true or false', v);
  return v;
}

export function checkString(v: unknown, where: Where, pattern?: RegExp, hint?: string): string {
  if (typeof v !== 'string' || v === '') fail(where, 'expected a non-empty string', v);
  if (pattern && !pattern.test(v)) fail(where, `expected ${hint ?? `a string matching ${pattern}`}`, v);
  return v;
}

export function checkOneOf<T extends string>(v: unknown, where: Where, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(where, `expected one of ${allowed.join(', ')}`, v);
  return v as T;
}

export function checkStringList(v: unknown, where: Where, pattern?: RegExp, hint?: string): string[] {
  if (!Array.isArray(v)) fail(where, 'expected a list of strings', v);
  return v.map((item, i) => checkString(item, at(where, i), pattern, hint));
}

/** Prometheus/Alertmanager duration: 30s, 5m, 1h30m, 15d. */
export const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
export const checkDuration = (v: unknown, where: Where): string =>
  checkString(v, where, DURATION, 'a duration such as 30s, 5m, 15d');

/**
 * An image reference with a pinned tag or digest: `latest` and untagged names
 * would let two hosts run different code under the same release.
 */
export function checkPinnedImage(v: unknown, where: Where): string {
  const ref = checkString(v, where, /^\S+$/, 'an image reference without spaces');
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return ref;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  if (!tag || tag === 'latest') fail(where, 'expected a pinned tag (name:1.2.3) or digest, not latest or untagged', v);
  return ref;
}

export function checkHttpUrl(v: unknown, where: Where): string {
  const s = checkString(v, where);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    fail(where, 'expected an http(s) URL', v);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(where, 'expected an http(s) URL', v);
  return s;
}

export function checkList(v: unknown, where: Where, hint: string): unknown[] {
  if (!Array.isArray(v)) fail(where, `expected a list of ${hint}`, v);
  return v;
}
