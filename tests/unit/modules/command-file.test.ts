import { test } from 'node:test';
import assert from 'node:assert/strict';
import { command, gatherCommandLine, parseCommandFacts, planCommand } from '../../../lib/modules/command.ts';
import { fileApplyLine, planFile } from '../../../lib/modules/file.ts';
import { parseStat } from '../../../lib/modules/ownership.ts';
import { FakeConnection } from '../../helpers/fake-connection.ts';

test('command without guards always runs and gathers nothing', async () => {
  const m = command({ argv: ['touch', '/tmp/x y'] });
  const conn = new FakeConnection('h');
  const facts = await m.gather(conn);
  assert.equal(conn.stats.execs, 0);
  assert.deepEqual(m.plan(facts).changes, [{ what: "run touch '/tmp/x y'" }]);
});

test('command guards are batched into one line', () => {
  const line = gatherCommandLine({ argv: ['make'], creates: '/opt/a b', unless: ['test', '-f', '/x'] })!.text;
  assert.equal(
    line,
    "echo @@cloudnova:creates; { [ -e '/opt/a b' ] && echo yes; } 2>/dev/null; echo @@cloudnova:unless; { test -f /x >/dev/null 2>&1 && echo yes; } 2>/dev/null; true",
  );
});

test('command plan honours creates, removes, unless', () => {
  const spec = { argv: ['x'], creates: '/a' };
  assert.equal(planCommand(spec, parseCommandFacts('@@cloudnova:creates\nyes\n')).changes.length, 0);
  assert.equal(planCommand(spec, parseCommandFacts('@@cloudnova:creates\n')).changes.length, 1);
  assert.equal(planCommand({ argv: ['x'], removes: '/a' }, { removesExists: false }).changes.length, 0);
  assert.equal(planCommand({ argv: ['x'], unless: ['true'] }, { unlessSucceeded: true }).changes.length, 0);
  assert.equal(planCommand({ argv: ['x'], subject: 'set password' }, {}).changes[0].what, 'run set password');
});

test('stat output parses, 3-digit modes normalised', () => {
  assert.deepEqual(parseStat('directory|755|root|adm|4096'), { exists: true, type: 'directory', mode: '0755', owner: 'root', group: 'adm', size: 4096 });
  assert.deepEqual(parseStat(''), { exists: false });
  assert.equal(parseStat('regular empty file|600|a|b|0').type, 'file');
});

test('file plan: create, fix mode/owner, nothing, absent', () => {
  const dir = { path: '/opt/c', state: 'directory' as const, mode: '0750', owner: 'app' };
  assert.deepEqual(planFile(dir, { exists: false }).changes.map((c) => c.what), ['create directory', 'mode 0750', 'owner app:']);
  const facts = parseStat('directory|755|root|root|4096');
  assert.deepEqual(planFile(dir, facts).changes.map((c) => c.what), ['mode 0755 -> 0750', 'owner root -> app']);
  assert.deepEqual(planFile(dir, parseStat('directory|750|app|root|4096')).changes, []);
  assert.deepEqual(planFile({ path: '/x', state: 'absent' }, { exists: false }).changes, []);
  assert.throws(() => planFile(dir, parseStat('regular file|644|root|root|1')), /is a file, expected a directory/);
});

test('file apply line', () => {
  assert.equal(
    fileApplyLine({ path: '/opt/c d', state: 'directory', mode: '750', owner: 'app', group: 'app' }, { exists: false }).text,
    "mkdir -p -- '/opt/c d' && chmod 0750 -- '/opt/c d' && chown app:app -- '/opt/c d'",
  );
  assert.equal(fileApplyLine({ path: '/x', state: 'absent' }, { exists: true }).text, 'rm -rf -- /x');
});
