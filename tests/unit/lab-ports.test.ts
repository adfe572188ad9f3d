import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portsFor, slotCandidates, MAX_HOSTS_PER_LAB } from '../../lib/lab/ports.ts';

test('the default lab publishes ssh 2221+, http 8081+, https 8441+', () => {
  assert.deepEqual(portsFor(0, 0), { ssh: 2221, http: 8081, https: 8441 });
  assert.deepEqual(portsFor(0, 1), { ssh: 2222, http: 8082, https: 8442 });
  assert.equal(slotCandidates('lab')[0], 0);
});

test('other labs never get slot 0 and their ports do not overlap any other slot', () => {
  assert.ok(!slotCandidates('labtest').includes(0));
  assert.deepEqual(slotCandidates('labtest'), slotCandidates('labtest'), 'stable for a name');
  const seen = new Set<number>();
  for (let slot = 0; slot <= 40; slot++) {
    for (let i = 0; i < MAX_HOSTS_PER_LAB; i++) {
      for (const port of Object.values(portsFor(slot, i))) {
        assert.ok(!seen.has(port), `port ${port} used twice`);
        assert.ok(port < 32768, 'below the ephemeral range');
        seen.add(port);
      }
    }
  }
});

test('too many hosts is refused', () => {
  assert.throws(() => portsFor(1, MAX_HOSTS_PER_LAB), /at most/);
});
