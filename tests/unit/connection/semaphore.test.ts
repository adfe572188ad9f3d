import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Semaphore } from '../../../lib/connection/semaphore.ts';

test('Semaphore never runs more than its limit, and runs everything', async () => {
  const sem = new Semaphore(3);
  let running = 0;
  let peak = 0;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      sem.use(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return i;
      }),
    ),
  );
  assert.equal(peak, 3);
  assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => i));
  assert.equal(sem.inUse, 0);
  assert.equal(sem.queued, 0);
});

test('Semaphore frees the slot when the work throws; double release is harmless', async () => {
  const sem = new Semaphore(1);
  await assert.rejects(sem.use(async () => Promise.reject(new Error('boom'))), /boom/);
  const release = await sem.acquire();
  release();
  release();
  assert.equal(sem.inUse, 0);
  assert.throws(() => new Semaphore(0), /positive integer/);
});
