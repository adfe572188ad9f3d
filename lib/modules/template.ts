// Render an ejs template on the controller with the host's vars, then copy it.
// Undefined variables are errors, not empty strings: a missing var in a config
// file would otherwise ship a broken nginx.conf that fails later and far away.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { Module, Vars } from '../core/types.ts';
import { ConfigError } from '../core/types.ts';
import { type CopyFacts, type CopySpec, contentModule } from './copy.ts';

export interface TemplateSpec extends Omit<CopySpec, 'content' | 'src'> {
  /** The .ejs file on the controller: a path, or new URL('./templates/x.ejs', import.meta.url). */
  src: string | URL;
  /** Usually ctx.vars, plus anything role-specific. */
  vars: Vars;
}

/** Names ejs's compiled function uses for itself; they must resolve to its own scope, not to vars. */
const EJS_INTERNALS = new Set(['escapeFn', 'include', 'rethrow', 'locals']);

class UndefinedVariableError extends ReferenceError {
  // Not `path`: ejs overwrites err.path with the template file name.
  constructor(readonly varName: string) {
    super(`undefined variable '${varName}'`);
  }
}

/**
 * Vars seen through `with (locals)`: an unknown top-level name or a missing key of
 * a plain object throws, naming the path. Globals (JSON, Math, ...) still resolve.
 * Even `typeof x` throws for an unknown x: give optional vars a default in the role's vars.ts.
 */
export function strictVars(vars: Vars, path = ''): Vars {
  return new Proxy(vars, {
    has(target, key) {
      if (typeof key === 'symbol' || key in target) return key in target;
      if (path === '' && (key.startsWith('__') || EJS_INTERNALS.has(key) || key in globalThis)) return false;
      // Claim every other name so the lookup reaches get() and fails there, by name.
      return path === '';
    },
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target || key === 'toJSON') {
        const value = Reflect.get(target, key, receiver);
        return isPlainObject(value) ? strictVars(value as Vars, path ? `${path}.${String(key)}` : String(key)) : value;
      }
      throw new UndefinedVariableError(path ? `${path}.${key}` : key);
    },
  });
}

function isPlainObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Render text as template `file` (the name used in errors and for includes). */
export function renderTemplateText(text: string, file: string, vars: Vars): string {
  try {
    return ejs.render(text, strictVars(vars), { filename: file, async: false });
  } catch (e) {
    const err = e as Error;
    // ejs prefixes the message with "file:line" and a source excerpt; keep the line, drop the excerpt.
    const line = /^[^\n]*:(\d+)\n/.exec(err.message)?.[1];
    const reason = err instanceof UndefinedVariableError ? `undefined variable '${err.varName}'` : err.message.split('\n\n').slice(-1)[0];
    throw new ConfigError(file, line ? `line ${line}` : 'template', reason);
  }
}

export async function renderTemplate(src: string | URL, vars: Vars): Promise<string> {
  const file = typeof src === 'string' ? src : fileURLToPath(src);
  return renderTemplateText(await readFile(file, 'utf8'), displayPath(file), vars);
}

/** Relative to the project (the working folder) when inside it: shorter errors. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export function template(spec: TemplateSpec): Module<CopyFacts> {
  return contentModule('template', spec, async () => Buffer.from(await renderTemplate(spec.src, spec.vars)));
}
