import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../../lib/modules/diff.ts';

test('equal texts give no diff', () => {
  assert.equal(unifiedDiff('a\nb\n', 'a\nb\n'), '');
});

test('one changed line with context and hunk header', () => {
  const old = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n';
  const now = 'l1\nl2\nl3\nl4\nX\nl6\nl7\nl8\n';
  assert.equal(
    unifiedDiff(old, now, { oldLabel: 'a/f', newLabel: 'b/f' }),
    '--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+X\n l6\n l7\n l8\n',
  );
});

test('new file: everything added', () => {
  assert.equal(unifiedDiff('', 'a\nb\n'), '--- before\n+++ after\n@@ -0,0 +1,2 @@\n+a\n+b\n');
});

test('distant changes make separate hunks', () => {
  const old = Array.from({ length: 30 }, (_, i) => `line${i}`).join('\n') + '\n';
  const now = old.replace('line2\n', 'two\n').replace('line27\n', 'twentyseven\n');
  const d = unifiedDiff(old, now);
  assert.equal(d.match(/^@@/gm)?.length, 2);
  assert.match(d, /^-line2$/m);
  assert.match(d, /^\+twentyseven$/m);
});

test('missing final newline is marked', () => {
  assert.match(unifiedDiff('a\n', 'a\nb'), /\+b\n\\ No newline at end of file/);
});
