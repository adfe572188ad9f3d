import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/core/types.ts';
import { LabOwnedElsewhereError, STATE_LABEL, foreignOwner, labOwnership, loginKeyAction } from '../../lib/lab/ownership.ts';
import { createHostArgs } from '../../lib/lab/docker-lab.ts';
import { stateRootId } from '../../lib/lab/state.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MINE = '/home/me/project/.cloudnova';
const THEIRS = '/home/me/other-checkout/.cloudnova';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMineMineMineMineMineMineMineMineMineMine cloudnova';
const OTHER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherOtherOtherOtherOtherOtherOtherOth cloudnova';

test('ownership: our label is ours, another state root is someone else, no label is adopted', () => {
  assert.equal(labOwnership({ [STATE_LABEL]: MINE, 'io.cloudnova.lab': 'lab' }, MINE), 'ours');
  assert.equal(labOwnership({ [STATE_LABEL]: `${MINE}/` }, MINE), 'ours', 'a trailing slash is the same folder');
  assert.deepEqual(labOwnership({ [STATE_LABEL]: THEIRS }, MINE), { otherOwner: THEIRS });
  assert.equal(labOwnership({ 'io.cloudnova.lab': 'lab' }, MINE), 'adopt', 'made before owner labels');
  assert.equal(labOwnership({ [STATE_LABEL]: '' }, MINE), 'adopt');
  assert.equal(labOwnership(null, MINE), 'adopt');
});

test('one host of another state folder makes the whole lab someone else\'s', () => {
  assert.equal(foreignOwner([{ labels: { [STATE_LABEL]: MINE } }, { labels: {} }], MINE), undefined);
  assert.equal(foreignOwner([{ labels: {} }, { labels: { [STATE_LABEL]: THEIRS } }], MINE), THEIRS);
  assert.equal(foreignOwner([], MINE), undefined);
});

test('login key: ours gets our key back, an adopted host only when it has none', () => {
  assert.equal(loginKeyAction('ours', `${KEY}\n`, KEY), 'keep');
  assert.equal(loginKeyAction('adopt', `${OTHER_KEY}\n${KEY.replace(' cloudnova', ' other-comment')}\n`, KEY), 'keep', 'compared without the comment');
  assert.equal(loginKeyAction('ours', `${OTHER_KEY}\n`, KEY), 'install', 'the owner\'s state folder was reset');
  assert.equal(loginKeyAction('ours', '', KEY), 'install');
  assert.equal(loginKeyAction('adopt', '', KEY), 'install');
  assert.equal(loginKeyAction('adopt', '# no keys\n\n', KEY), 'install');
  assert.equal(loginKeyAction('adopt', `${OTHER_KEY}\n`, KEY), 'leave', 'another checkout\'s key is not replaced');
});

test('the refusal is a ConfigError (exit 2) naming the lab, the other folder and the three ways on', () => {
  const e = new LabOwnedElsewhereError('lab', MINE, THEIRS);
  assert.ok(e instanceof ConfigError);
  assert.equal(e.file, MINE);
  assert.equal(e.field, 'lab');
  assert.ok(!e.message.includes('\n'), 'one paragraph');
  assert.match(e.message, /lab 'lab' belongs to another state folder, \/home\/me\/other-checkout\/\.cloudnova/);
  assert.match(e.message, /nothing was changed/);
  assert.match(e.message, /CLOUDNOVA_STATE_DIR=\/home\/me\/other-checkout\/\.cloudnova/);
  assert.match(e.message, /provider\.name, or lab\.ts --name/);
  assert.match(e.message, /npx zx playbooks\/lab\.ts down --name lab/);
});

test('hosts are labelled with their owner at creation', () => {
  const args = createHostArgs({ lab: 'lab', host: 'lab-1', index: 0, slot: 0, ports: { ssh: 2221, http: 8081, https: 8441 }, image: 'cloudnova/lab-host:x', stateRoot: MINE });
  assert.ok(args.includes(`${STATE_LABEL}=${MINE}`));
  assert.equal(args[args.indexOf(`${STATE_LABEL}=${MINE}`) - 1], '--label');
});

test('the state root id resolves symlinks, also for a folder not created yet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudnova-owner-'));
  try {
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const real = stateRootId(join(dir, 'real'));
    assert.equal(stateRootId(join(dir, 'link')), real);
    assert.equal(stateRootId(join(dir, 'link', '.cloudnova')), join(real, '.cloudnova'), 'a reset state folder keeps its owner id');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lab.ts: a bad lab name or host count is one line and exit 2, before docker is touched', () => {
  for (const args of [['up', '--name', 'Bad!'], ['status', '--name=Bad!'], ['up', '--hosts', '99'], ['up', '--bogus']]) {
    const r = spawnSync('npx', ['zx', 'playbooks/lab.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^lab\.ts: /);
    assert.equal(r.stdout, '');
  }
});
