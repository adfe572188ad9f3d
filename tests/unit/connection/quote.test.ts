import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Shell, and, or, pipe, quiet, quote, sh, shC, toFile } from '../../../lib/connection/quote.ts';
import { becomeLine, installFileLine, needsTty, tempNextTo } from '../../../lib/connection/commands.ts';

const NASTY = ['plain', '', 'with space', "it's", '$(rm -rf /)', '`id`', 'a;b&&c||d', 'new\nline', '*?[x]', '"dq"', '\\back', '-n', 'ünïcödé'];

/** What a real sh sees for a quoted argument. */
function echoThroughSh(arg: string): string {
  return execFileSync('sh', ['-c', `printf %s ${quote(arg)}`]).toString();
}

test('quote: every argument reaches sh unchanged', () => {
  for (const arg of NASTY) assert.equal(echoThroughSh(arg), arg, JSON.stringify(arg));
});

test('quote: safe words stay bare, others are single-quoted', () => {
  assert.equal(quote('/etc/nginx/nginx.conf'), '/etc/nginx/nginx.conf');
  assert.equal(quote('a b'), "'a b'");
  assert.equal(quote(''), "''");
  assert.equal(quote("it's"), "'it'\\''s'");
});

test('sh, and, or, pipe build one line', () => {
  assert.equal(sh(['install', '-m', '0644', 'a b', '/x']).text, "install -m 0644 'a b' /x");
  assert.equal(and(['mkdir', '-p', '/d'], ['touch', '/d/f']).text, 'mkdir -p /d && touch /d/f');
  assert.equal(or(['test', '-e', '/x'], ['false']).text, '{ test -e /x; } || { false; }');
  assert.equal(pipe(['docker', 'save', 'img:1'], ['gzip']).text, 'docker save img:1 | gzip');
  assert.equal(toFile(['echo', 'x'], '/t f').text, "echo x > '/t f'");
  assert.equal(quiet(['true']).text, 'true >/dev/null 2>&1');
  assert.deepEqual(shC(new Shell('a && b')), ['sh', '-c', 'a && b']);
  assert.throws(() => sh([]), /empty command/);
});

test('sh passes an already built Shell through untouched', () => {
  const line = and(['a'], ['b']);
  assert.equal(sh(line), line);
});

test('becomeLine: non-interactive sudo around the whole line', () => {
  const line = and(['echo', "it's"], ['id']);
  const wrapped = becomeLine(line).text;
  assert.match(wrapped, /^sudo -n -- sh -c /);
  // Unwrapping with a real sh gives the original line back as one argument.
  const inner = execFileSync('sh', ['-c', wrapped.replace(/^sudo -n -- sh -c /, 'printf %s ')]).toString();
  assert.equal(inner, line.text);
});

test('needsTty recognises sudo requiretty messages', () => {
  assert.ok(needsTty('sudo: sorry, you must have a tty to run sudo\n'));
  assert.ok(!needsTty('sudo: a password is required\n'));
});

test('installFileLine: install, validate, rename, clean up; one line', () => {
  const line = installFileLine('/home/u/.up', '/etc/app/my conf', { mode: '0640', owner: 'root', group: 'adm', validate: (t) => ['app', '-t', t] }, '/etc/app/.tmp').text;
  assert.equal(
    line,
    "install -m 0640 -o root -g adm /home/u/.up /etc/app/.tmp && { app -t /etc/app/.tmp; } && mv -f /etc/app/.tmp '/etc/app/my conf'; rc=$?; rm -f /etc/app/.tmp /home/u/.up; exit $rc",
  );
});

test('installFileLine without mode keeps the existing mode', () => {
  const line = installFileLine('/u', '/d/f', {}, '/d/.t').text;
  assert.match(line, /install -m 0644 \/u \/d\/\.t && \{ \[ ! -e \/d\/f \] \|\| chmod --reference=\/d\/f \/d\/\.t; \}/);
});

test('tempNextTo: hidden file in the same folder', () => {
  assert.equal(tempNextTo('/etc/nginx/nginx.conf', 'abc'), '/etc/nginx/.nginx.conf.cloudnova-abc');
  assert.notEqual(tempNextTo('/a/b'), tempNextTo('/a/b'));
});
