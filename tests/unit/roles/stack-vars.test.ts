import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/core/types.ts';
import { STACK_DEFAULTS, hostRoles, publicHttpsUrl, stackVars } from '../../../roles/stack-vars.ts';
import { renderTemplate } from '../../../roles/render-template.ts';
import { lab1, lab2, labHost } from './helpers/fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'cloudnova-vars-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('no vars: the defaults, validated', () => {
  assert.deepEqual(stackVars({}, 'inventory.ts'), STACK_DEFAULTS);
});

test('host vars merge over defaults key by key; lists replace; other parts\' keys are ignored', () => {
  const v = stackVars(
    { nginx: { hsts: { maxAge: 600 } }, alertmanager: { route: { groupBy: ['alertname'] } }, ec2: { region: 'eu-west-1' } },
    'inventory.ts',
  );
  assert.equal(v.nginx.hsts.maxAge, 600);
  assert.equal(v.nginx.hsts.includeSubDomains, true);
  assert.deepEqual(v.alertmanager.route.groupBy, ['alertname']);
  assert.equal(v.alertmanager.route.groupWait, '30s');
});

test('errors name the file and the field path', () => {
  const cases: Array<[unknown, string]> = [
    [{ nginx: { hsts: { maxAge: 1.5 } } }, 'inventory.ts: vars.nginx.hsts.maxAge: expected a positive integer, got 1.5'],
    [{ nginx: 'yes' }, 'inventory.ts: vars.nginx: expected an object, got "yes"'],
    [{ images: { delivery: 'scp' } }, 'inventory.ts: vars.images.delivery: expected one of push, pull, got "scp"'],
    [{ grafana: { dashboards: { import: [{ id: 3662, revision: 0 }] } } }, 'inventory.ts: vars.grafana.dashboards.import[0].revision: expected a positive integer, got 0'],
    [{ tls: { certFile: '/x.crt' } }, 'inventory.ts: vars.tls.keyFile: certFile and keyFile go together: set both, or neither to use the local CA'],
    [{ project: 'Cloud Nova' }, 'inventory.ts: vars.project: expected a compose project name (lower-case letters, digits, _ -), got "Cloud Nova"'],
    [{ nodeExporter: { extraFlags: ['rm -rf'] } }, 'inventory.ts: vars.nodeExporter.extraFlags[0]: expected flags such as --no-collector.wifi, got "rm -rf"'],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => stackVars(raw as Record<string, unknown>, 'inventory.ts'), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.message, message);
      return true;
    });
  }
});

test('hostRoles and publicHttpsUrl', () => {
  assert.deepEqual(hostRoles(lab1), { web: true, monitoring: true });
  assert.deepEqual(hostRoles(lab2), { web: true, monitoring: false });
  assert.equal(publicHttpsUrl(lab1), 'https://127.0.0.1:8441/');
  assert.equal(publicHttpsUrl(labHost('aws', 1, ['web'], { urls: undefined, publicNames: ['app.example.com'] })), 'https://app.example.com/');
});

test('renderTemplate: a missing variable is an error naming the template and the variable', () => {
  const file = join(work, 'x.conf.ejs');
  writeFileSync(file, 'a=<%= locals.a %>\nb=<%= locals.nested.b %>\n');
  assert.equal(renderTemplate(file, { a: 1, nested: { b: 'two' } }), 'a=1\nb=two\n');
  assert.throws(() => renderTemplate(file, { a: 1, nested: {} }), (e: unknown) => {
    assert.match(String((e as Error).message), /undefined variable locals\.nested\.b/);
    assert.match(String((e as Error).message), /x\.conf\.ejs/);
    return true;
  });
});
