import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { stackVars } from '../../../roles/stack-vars.ts';
import { renderAlertmanagerConfig } from '../../../roles/alertmanager/render.ts';

const AMTOOL = ['/usr/bin/amtool', '/usr/local/bin/amtool'].find((p) => existsSync(p));
const work = mkdtempSync(join(tmpdir(), 'cloudnova-am-'));
after(() => rmSync(work, { recursive: true, force: true }));

function amtoolCheck(text: string): { ok: boolean; output: string } {
  const file = join(work, `alertmanager-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  const r = spawnSync(AMTOOL!, ['check-config', file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: r.stdout + r.stderr };
}

test('default: a receiver that sends nowhere, grouped by alertname and host', () => {
  const text = renderAlertmanagerConfig(stackVars({}, 'i'));
  assert.match(text, /receiver: default/);
  assert.doesNotMatch(text, /webhook_configs/);
  assert.match(text, /group_by:\n\s+- alertname\n\s+- host/);
});

test('webhook receiver from vars', () => {
  const text = renderAlertmanagerConfig(stackVars({ alertmanager: { receiver: { name: 'ops', webhookUrl: 'https://hooks.example.test/alert' } } }, 'i'));
  assert.match(text, /webhook_configs:\n\s+- url: https:\/\/hooks.example.test\/alert\n\s+send_resolved: true/);
  assert.match(text, /receiver: ops/);
});

test('bad alertmanager vars are rejected with the field path', () => {
  assert.throws(() => stackVars({ alertmanager: { receiver: { webhookUrl: 'ftp://x' } } }, 'inventory.ts'), /vars.alertmanager.receiver.webhookUrl: expected an http\(s\) URL/);
  assert.throws(() => stackVars({ alertmanager: { route: { groupWait: 'soon' } } }, 'inventory.ts'), /vars.alertmanager.route.groupWait: expected a duration/);
});

test('amtool check-config accepts both variants', { skip: !AMTOOL && 'amtool not installed' }, () => {
  for (const raw of [{}, { alertmanager: { receiver: { name: 'ops', webhookUrl: 'http://10.0.0.5:9000/hook' } } }]) {
    const r = amtoolCheck(renderAlertmanagerConfig(stackVars(raw, 'i')));
    assert.ok(r.ok, r.output);
  }
});
