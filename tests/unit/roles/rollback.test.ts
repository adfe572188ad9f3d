import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previousRelease } from '../../../roles/rollback/index.ts';
import { switchReleaseArgv } from '../../../roles/releases.ts';

test('rollback picks the newest earlier release that still exists', () => {
  const history = ['aaa', 'bbb', 'ccc', 'bbb', 'ddd'];
  assert.equal(previousRelease(history, 'ddd', ['aaa', 'bbb', 'ccc', 'ddd']), 'bbb');
  // bbb was pruned: the next one back.
  assert.equal(previousRelease(history, 'ddd', ['aaa', 'ccc', 'ddd']), 'ccc');
  assert.equal(previousRelease(['ddd'], 'ddd', ['ddd']), undefined);
  assert.equal(previousRelease([], '', []), undefined);
});

test('switching a release passes ids as arguments, never inside the script', () => {
  const { argv, unless } = switchReleaseArgv('0123456789ab');
  assert.equal(argv[0], 'sh');
  assert.ok(!argv[2]!.includes('0123456789ab'));
  assert.deepEqual(argv.slice(4), ['releases/0123456789ab/compose.yaml', '/opt/cloudnova/compose.yaml', '0123456789ab', '/opt/cloudnova/releases/history']);
  assert.ok(!unless[2]!.includes('0123456789ab'));
  assert.throws(() => switchReleaseArgv('../etc'), /letters, digits/);
});
