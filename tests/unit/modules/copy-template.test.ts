import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/core/types.ts';
import { copy, gatherCopyLine, parseCopyFacts, planCopy, sha256 } from '../../../lib/modules/copy.ts';
import { renderTemplateText, template } from '../../../lib/modules/template.ts';
import { FakeConnection } from '../../helpers/fake-connection.ts';

const existing = (content: string, mode = '0644') => ({
  file: { exists: true, type: 'file' as const, mode, owner: 'root', group: 'root', size: content.length },
  sha256: sha256(content),
});

test('copy plan: same content and mode is a no-op', () => {
  const plan = planCopy({ dest: '/etc/a', content: Buffer.from('x\n'), mode: '644' }, existing('x\n'));
  assert.deepEqual(plan, { changes: [] });
});

test('copy plan: new file diffs against /dev/null', () => {
  const plan = planCopy({ dest: '/etc/a', content: Buffer.from('hello\n') }, { file: { exists: false } });
  assert.deepEqual(plan.changes, [{ what: 'create' }]);
  assert.equal(plan.diff, '--- /dev/null\n+++ /etc/a (desired)\n@@ -0,0 +1 @@\n+hello\n');
});

test('copy plan: changed content gives a diff of old vs new; mode change listed', () => {
  const facts = { ...existing('a\nb\n', '0600'), oldContent: Buffer.from('a\nb\n') };
  const plan = planCopy({ dest: '/etc/a', content: Buffer.from('a\nc\n'), mode: '0644' }, facts);
  assert.deepEqual(plan.changes.map((c) => c.what), ['content', 'mode 0600 -> 0644']);
  assert.match(plan.diff!, /^-b$/m);
  assert.match(plan.diff!, /^\+c$/m);
});

test('copy plan: a secret never shows its content', () => {
  const facts = { ...existing('old-password'), oldContent: Buffer.from('old-password') };
  const plan = planCopy({ dest: '/etc/pw', content: Buffer.from('new-password'), secret: true }, facts);
  assert.doesNotMatch(plan.diff!, /password/);
  assert.match(plan.diff!, /diff hidden/);
});

test('copy gather is one exec; old content only fetched for non-secrets', async () => {
  assert.doesNotMatch(gatherCopyLine('/a', 'f'.repeat(64), false).text, /base64/);
  assert.match(gatherCopyLine('/a', 'f'.repeat(64), true).text, /base64 -w0 < \/a/);
  const out = `@@cloudnova:stat\nregular file|644|root|root|2\n@@cloudnova:sha256\n${sha256('a\n')}\n@@cloudnova:old\n${Buffer.from('a\n').toString('base64')}\n`;
  const conn = new FakeConnection('h', () => ({ stdout: out }));
  const m = copy({ dest: '/a', content: 'b\n' });
  const facts = await m.gather(conn);
  assert.equal(conn.stats.execs, 1);
  assert.equal(facts.oldContent?.toString(), 'a\n');
  const plan = m.plan(facts);
  await m.apply(conn, plan, facts);
  assert.deepEqual(conn.writes.map((w) => [w.dest, w.content]), [['/a', 'b\n']]);
  assert.deepEqual(parseCopyFacts('@@cloudnova:stat\n@@cloudnova:sha256\n').file, { exists: false });
});

test('copy: only mode differs -> chmod, no transfer', async () => {
  const out = `@@cloudnova:stat\nregular file|600|root|root|2\n@@cloudnova:sha256\n${sha256('a\n')}\n`;
  const conn = new FakeConnection('h', () => ({ stdout: out }));
  const m = copy({ dest: '/a', content: 'a\n', mode: '0644' });
  const facts = await m.gather(conn);
  await m.apply(conn, m.plan(facts), facts);
  assert.equal(conn.writes.length, 0);
  assert.equal(conn.lines[1], 'chmod 0644 -- /a');
});

test('copy needs exactly one of content or src', () => {
  assert.throws(() => copy({ dest: '/a' }), /exactly one/);
});

test('template renders vars, objects and globals', () => {
  assert.equal(renderTemplateText('<%= a %>-<%= o.b %>-<%= JSON.stringify([1]) %>', 't.ejs', { a: 1, o: { b: 2 } }), '1-2-[1]');
});

test('template: an undefined variable names the template and the line', () => {
  const err = (() => {
    try {
      renderTemplateText('ok\nlisten <%= port %>;\n', 'roles/nginx/templates/nginx.conf.ejs', {});
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof ConfigError);
  assert.equal((err as Error).message, "roles/nginx/templates/nginx.conf.ejs: line 2: undefined variable 'port'");
  assert.throws(() => renderTemplateText('\n\n<%= tls.cert %>', 'x.ejs', { tls: {} }), /x\.ejs: line 3: undefined variable 'tls\.cert'/);
});

test('template module renders the file from src with the given vars', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tpl-'));
  await writeFile(join(dir, 'a.ejs'), 'name=<%= name %>\n');
  const conn = new FakeConnection('h', () => ({ stdout: '@@cloudnova:stat\n@@cloudnova:sha256\n@@cloudnova:old\n' }));
  const m = template({ src: join(dir, 'a.ejs'), dest: '/etc/a', vars: { name: 'web1' } });
  const facts = await m.gather(conn);
  const plan = m.plan(facts);
  assert.match(plan.diff!, /^\+name=web1$/m);
  assert.equal(m.kind, 'template');
});
