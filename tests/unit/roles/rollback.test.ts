import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseReleaseFacts, previousRelease } from '../../../roles/rollback/index.ts';
import { pruneReleasesArgv, switchReleaseArgv } from '../../../roles/releases.ts';

test('rollback picks the newest earlier good release that still exists', () => {
  const history = ['aaa', 'bbb', 'ccc', 'bbb', 'ddd'];
  const all = ['aaa', 'bbb', 'ccc', 'ddd'];
  assert.equal(previousRelease({ current: 'ddd', history, failed: [], existing: all }), 'bbb');
  // bbb was pruned: the next one back.
  assert.equal(previousRelease({ current: 'ddd', history, failed: [], existing: ['aaa', 'ccc', 'ddd'] }), 'ccc');
  // After an automatic rollback from a failed ddd to bbb, rollback never returns to ddd.
  assert.equal(previousRelease({ current: 'bbb', history: [...history, 'bbb'], failed: ['ddd'], existing: all }), 'ccc');
  assert.equal(previousRelease({ current: 'ddd', history: ['ddd'], failed: [], existing: ['ddd'] }), undefined);
  assert.equal(previousRelease({ current: '', history: [], failed: [], existing: [] }), undefined);
});

test('release facts are parsed from one remote call', () => {
  const f = parseReleaseFacts('ddd\n@@\naaa\nddd\n@@\n@@\naaa\nddd\nhistory\n');
  assert.deepEqual(f, { current: 'ddd', history: ['aaa', 'ddd'], failed: [], existing: ['aaa', 'ddd', 'history'] });
});

test('switching a release passes ids as arguments, never inside the script', () => {
  const { argv, unless } = switchReleaseArgv('0123456789ab');
  assert.equal(argv[0], 'sh');
  assert.ok(!argv[2]!.includes('0123456789ab'));
  assert.deepEqual(argv.slice(4), ['releases/0123456789ab/compose.yaml', '/opt/cloudnova/compose.yaml', '0123456789ab', '/opt/cloudnova/releases/history']);
  assert.ok(!unless[2]!.includes('0123456789ab'));
  assert.throws(() => switchReleaseArgv('../etc'), /letters, digits/);
});

/** The real scripts in a real shell, on a temp copy of /opt/cloudnova. */
function inRoot(root: string, argv: string[]) {
  const sub = argv.map((a) => a.replaceAll('/opt/cloudnova', root));
  return spawnSync(sub[0]!, sub.slice(1), { encoding: 'utf8' });
}

test('a switch refuses a release that is gone; prune keeps current, pending-rollback and the newest', () => {
  const root = mkdtempSync(join(tmpdir(), 'cloudnova-releases-'));
  try {
    for (const id of ['aaa111', 'bbb222', 'ccc333', 'ddd444']) {
      mkdirSync(join(root, 'releases', id), { recursive: true });
      writeFileSync(join(root, 'releases', id, 'compose.yaml'), 'services: {}\n');
    }
    const missing = inRoot(root, switchReleaseArgv('eee555').argv);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /release eee555 is not on this host/);

    assert.equal(inRoot(root, switchReleaseArgv('ddd444').argv).status, 0);
    assert.equal(readlinkSync(join(root, 'compose.yaml')), 'releases/ddd444/compose.yaml');
    writeFileSync(join(root, 'releases', 'history'), 'ccc333\nddd444\n');
    // aaa111 is not in the history (made before it existed) but verify would restore it.
    writeFileSync(join(root, 'releases', 'pending-rollback'), 'aaa111\n');
    const pruned = inRoot(root, pruneReleasesArgv(1));
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.deepEqual(pruned.stdout.trim().split('\n'), ['bbb222', 'ccc333']);
    assert.equal(readFileSync(join(root, 'releases', 'aaa111', 'compose.yaml'), 'utf8'), 'services: {}\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
