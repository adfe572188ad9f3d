import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aptApplyLine, gatherAptLine, parseAptFacts, planApt } from '../../../lib/modules/apt.ts';
import { gatherServiceLine, parseServiceFacts, planService, serviceApplyLine } from '../../../lib/modules/service.ts';

test('apt gather is one dpkg-query plus the lists age', () => {
  assert.equal(
    gatherAptLine(['nginx', 'curl']).text,
    "echo @@cloudnova:installed; { dpkg-query -W -f='${Package} ${db:Status-Status}\\n' nginx curl; } 2>/dev/null; " +
      'echo @@cloudnova:age; { echo $(( $(date +%s) - $(stat -c %Y /var/lib/apt/lists/partial 2>/dev/null || echo 0) )); } 2>/dev/null; true',
  );
});

test('apt plan: nothing when installed; install (and update when stale) otherwise', () => {
  const facts = parseAptFacts('@@cloudnova:installed\nnginx installed\ncurl config-files\n@@cloudnova:age\n7200\n');
  assert.deepEqual(facts.installed, ['nginx']);
  assert.deepEqual(planApt({ packages: ['nginx'] }, facts).changes, []);
  const plan = planApt({ packages: ['nginx', 'curl'] }, facts);
  assert.deepEqual(plan.changes.map((c) => c.what), ['update package lists', 'install curl']);
  assert.deepEqual(planApt({ packages: ['curl'], cacheValidSeconds: 86400 }, facts).changes.map((c) => c.what), ['install curl']);
  assert.equal(
    aptApplyLine({ packages: ['curl'] }, plan).text,
    'apt-get -o DPkg::Lock::Timeout=600 -q update && env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q -y --no-install-recommends install curl',
  );
  assert.equal(parseAptFacts('@@cloudnova:installed\n@@cloudnova:age\n1764000000\n').cacheAgeSeconds, Infinity);
});

test('service: gather line, plan and apply', () => {
  assert.equal(
    gatherServiceLine('nginx').text,
    'echo @@cloudnova:enabled; { systemctl is-enabled nginx; } 2>/dev/null; echo @@cloudnova:active; { systemctl is-active nginx; } 2>/dev/null; true',
  );
  const stopped = parseServiceFacts('@@cloudnova:enabled\ndisabled\n@@cloudnova:active\ninactive\n');
  const plan = planService({ name: 'nginx', enabled: true, state: 'started' }, stopped);
  assert.deepEqual(plan.changes.map((c) => c.what), ['enable', 'start']);
  assert.equal(serviceApplyLine({ name: 'nginx', daemonReload: true }, plan).text, 'systemctl daemon-reload && systemctl enable nginx && systemctl start nginx');
  const running = { enabled: 'enabled', active: 'active' };
  assert.deepEqual(planService({ name: 'nginx', enabled: true, state: 'started' }, running).changes, []);
  assert.deepEqual(planService({ name: 'nginx', state: 'reloaded' }, running).changes, [{ what: 'reload' }]);
  assert.deepEqual(planService({ name: 'nginx', state: 'reloaded' }, stopped).changes, [{ what: 'start' }]);
});
