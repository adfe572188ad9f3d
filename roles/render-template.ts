// EJS rendering where a missing variable is an error naming the template, never an
// empty string in a config file: the data is wrapped in a Proxy that throws on
// unknown keys, and ejs runs in strict mode (no `with`), so `locals.x` is the only way in.
import { readFileSync } from 'node:fs';
import ejs from 'ejs';

class TemplateVariableError extends Error {}

function strictData(value: object, template: string, path: string): object {
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key === 'symbol' || key === 'toJSON' || key === 'then') return v;
      if (!(key in target)) {
        throw new TemplateVariableError(`${template}: undefined variable ${path}.${key}`);
      }
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? strictData(v, template, `${path}.${key}`) : v;
    },
  });
}

/** Render an .ejs file with `data` as `locals`; output is text, not HTML (no escaping). */
export function renderTemplate(file: string, data: object): string {
  const source = readFileSync(file, 'utf8');
  const fn = ejs.compile(source, { strict: true, filename: file, escape: (s: unknown) => String(s), rmWhitespace: false });
  try {
    return fn(strictData(data, file, 'locals'));
  } catch (err) {
    // ejs prefixes "file:line" and a source excerpt; keep "file:line: reason".
    if (err instanceof Error && /undefined variable/.test(err.message)) {
      const line = /^[^\n]*:(\d+)\n/.exec(err.message)?.[1];
      const reason = err.message.split('\n').slice(-1)[0].replace(`${file}: `, '');
      throw new Error(`${file}${line ? `:${line}` : ''}: ${reason}`, { cause: err });
    }
    throw err;
  }
}
