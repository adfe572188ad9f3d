import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../src/db.ts';
import { DEMO_USERS, seedDemoUsers } from '../src/seed.ts';
import { createUserStore } from '../src/user-store.ts';
import { createTestApp, sendJson, temporaryDirectory, validUser } from './helpers.ts';

const tmp = temporaryDirectory();
after(tmp.cleanup);

describe('storage', () => {
  it('keeps users across a restart (close and reopen the database file)', async () => {
    const path = join(tmp.dir, 'nested', 'restart.db');
    const first = createTestApp(path);
    const created = await sendJson(first.app, 'POST', '/api/users', validUser(1));
    assert.equal(created.status, 201);
    const user = await created.json();
    first.db.close();

    const second = createTestApp(path);
    const fetched = await second.app.request('/api/users');
    assert.deepEqual(await fetched.json(), [user]);
    second.db.close();
  });

  it('creates the schema on start in a new file and is idempotent on reopen', () => {
    const path = join(tmp.dir, 'schema.db');
    openDatabase(path).close();
    const db = openDatabase(path);
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'users'").get();
    assert.deepEqual(table, { name: 'users' });
    db.close();
  });
});

describe('demo users seeding', () => {
  it('seeds two demo users into an empty database', async () => {
    const db = openDatabase(':memory:');
    const store = createUserStore(db);
    assert.equal(await seedDemoUsers(store), DEMO_USERS.length);
    assert.deepEqual(
      store.list().map((u) => u.username),
      DEMO_USERS.map((u) => u.username),
    );
  });

  it('does not seed into a database that has users, even after the demo users were deleted', async () => {
    const db = openDatabase(':memory:');
    const store = createUserStore(db);
    await store.create(validUser(7));
    assert.equal(await seedDemoUsers(store), 0);
    assert.equal(store.count(), 1);
  });

  it('seeding twice (a restart with the toggle on) does not duplicate', async () => {
    const path = join(tmp.dir, 'seed.db');
    for (let restart = 0; restart < 2; restart++) {
      const db = openDatabase(path);
      await seedDemoUsers(createUserStore(db));
      db.close();
    }
    const db = openDatabase(path);
    assert.equal(createUserStore(db).count(), DEMO_USERS.length);
    db.close();
  });
});
