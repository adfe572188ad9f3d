import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createTestApp, sendJson, validUser, type TestApp } from './helpers.ts';

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});

async function createUser(suffix: string | number = 1) {
  const response = await sendJson(t.app, 'POST', '/api/users', validUser(suffix));
  assert.equal(response.status, 201);
  return (await response.json()) as Record<string, unknown> & { id: number };
}

describe('users API: happy path', () => {
  it('creates, reads, lists, updates and deletes a user', async () => {
    const created = await createUser(1);
    assert.deepEqual(
      { name: created.name, email: created.email, username: created.username },
      { name: 'User 1', email: 'user1@example.com', username: 'user1' },
    );
    assert.equal(typeof created.id, 'number');

    const fetched = await t.app.request(`/api/users/${created.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(await fetched.json(), created);

    const list = await t.app.request('/api/users');
    assert.deepEqual(await list.json(), [created]);

    const updated = await sendJson(t.app, 'PUT', `/api/users/${created.id}`, { name: 'Renamed' });
    assert.equal(updated.status, 200);
    const updatedBody = (await updated.json()) as Record<string, unknown>;
    assert.equal(updatedBody.name, 'Renamed');
    assert.equal(updatedBody.email, 'user1@example.com', 'partial update keeps the other fields');

    const deleted = await t.app.request(`/api/users/${created.id}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), '');
    assert.equal((await t.app.request(`/api/users/${created.id}`)).status, 404);
  });

  it('sets a Location header on create', async () => {
    const response = await sendJson(t.app, 'POST', '/api/users', validUser(2));
    const body = (await response.json()) as { id: number };
    assert.equal(response.headers.get('location'), `/api/users/${body.id}`);
  });

  it('lists users built by SQLite JSON exactly as the JS objects would serialise (quotes, unicode, emoji)', async () => {
    const tricky = ['Zoë "Q" O\'Neil \\ back', '李小龙 🚀', '<b>&amp;</b>\u00a0tab\there'];
    for (const [i, name] of tricky.entries()) {
      assert.equal((await sendJson(t.app, 'POST', '/api/users', { ...validUser(i), name })).status, 201);
    }
    const response = await t.app.request('/api/users');
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const listed = (await response.json()) as { name: string }[];
    assert.deepEqual(listed.map((u) => u.name), tricky.map((n) => n.trim()));
    const oneByOne = await Promise.all(listed.map(async (u) => (await t.app.request(`/api/users/${(u as unknown as { id: number }).id}`)).json()));
    assert.deepEqual(listed, oneByOne);
  });

  it('lists an empty database as []', async () => {
    assert.deepEqual(await (await t.app.request('/api/users')).json(), []);
  });

  it('trims text fields and lower-cases the email', async () => {
    const response = await sendJson(t.app, 'POST', '/api/users', {
      ...validUser(3),
      name: '  Grace  ',
      email: ' Grace@Example.COM ',
    });
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.name, 'Grace');
    assert.equal(body.email, 'grace@example.com');
  });
});

describe('users API: passwords', () => {
  it('stores an scrypt hash with a per-user salt and never returns the password or hash', async () => {
    await sendJson(t.app, 'POST', '/api/users', { ...validUser(1), password: 'same-password' });
    await sendJson(t.app, 'POST', '/api/users', { ...validUser(2), password: 'same-password' });
    const rows = t.db.prepare('SELECT password_hash FROM users ORDER BY id').all() as { password_hash: string }[];
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.match(row.password_hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      assert.ok(!row.password_hash.includes('same-password'));
    }
    assert.notEqual(rows[0]!.password_hash, rows[1]!.password_hash, 'same password, different salt');

    const responses = [await t.app.request('/api/users'), await t.app.request('/api/users/1')];
    for (const response of responses) {
      const text = await response.text();
      assert.ok(!/password/i.test(text), `response leaks a password field: ${text}`);
    }
  });

  it('changes the password hash on PUT with a new password', async () => {
    const user = await createUser(1);
    const before = t.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(user.id);
    const response = await sendJson(t.app, 'PUT', `/api/users/${user.id}`, { password: 'a-new-password' });
    assert.equal(response.status, 200);
    assert.ok(!/password/i.test(await response.text()));
    const after = t.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(user.id);
    assert.notDeepEqual(before, after);
  });
});

describe('users API: bad input never gives 500', () => {
  const validationCases: { title: string; body: unknown; fields: string[] }[] = [
    { title: 'empty object: every field required', body: {}, fields: ['name', 'email', 'username', 'password'] },
    { title: 'missing password', body: { ...validUser(), password: undefined }, fields: ['password'] },
    { title: 'null field', body: { ...validUser(), name: null }, fields: ['name'] },
    { title: 'blank name', body: { ...validUser(), name: '   ' }, fields: ['name'] },
    { title: 'email without @', body: { ...validUser(), email: 'not-an-email' }, fields: ['email'] },
    { title: 'email without domain dot', body: { ...validUser(), email: 'a@localhost' }, fields: ['email'] },
    { title: 'email with spaces', body: { ...validUser(), email: 'a b@example.com' }, fields: ['email'] },
    { title: 'email too long', body: { ...validUser(), email: `${'a'.repeat(250)}@example.com` }, fields: ['email'] },
    { title: 'name too long', body: { ...validUser(), name: 'n'.repeat(101) }, fields: ['name'] },
    { title: 'username too short', body: { ...validUser(), username: 'ab' }, fields: ['username'] },
    { title: 'username too long', body: { ...validUser(), username: 'u'.repeat(33) }, fields: ['username'] },
    { title: 'username with bad characters', body: { ...validUser(), username: 'bad name!' }, fields: ['username'] },
    { title: 'password too short', body: { ...validUser(), password: 'short' }, fields: ['password'] },
    { title: 'password too long', body: { ...validUser(), password: 'p'.repeat(129) }, fields: ['password'] },
    { title: 'number instead of string', body: { ...validUser(), name: 42 }, fields: ['name'] },
    { title: 'object instead of string', body: { ...validUser(), email: { a: 1 } }, fields: ['email'] },
    { title: 'several fields at once', body: { name: '', email: 'x', username: 'a', password: '1' }, fields: ['name', 'email', 'username', 'password'] },
  ];

  for (const { title, body, fields } of validationCases) {
    it(`POST 400 with failing fields: ${title}`, async () => {
      const response = await sendJson(t.app, 'POST', '/api/users', body);
      assert.equal(response.status, 400);
      const answer = (await response.json()) as { error: string; fields: Record<string, string> };
      assert.equal(typeof answer.error, 'string');
      assert.deepEqual(Object.keys(answer.fields).sort(), [...fields].sort());
      for (const message of Object.values(answer.fields)) assert.ok(message.length > 0);
    });
  }

  const notObjectBodies: [string, string][] = [
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"hello"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
  ];
  for (const [title, raw] of notObjectBodies) {
    it(`POST 400 when the body is ${title}`, async () => {
      const response = await sendJson(t.app, 'POST', '/api/users', raw);
      assert.equal(response.status, 400);
      const answer = (await response.json()) as { error: string };
      assert.match(answer.error, /JSON object/);
    });
  }

  const malformedBodies: [string, string][] = [
    ['truncated JSON', '{"name": "x"'],
    ['not JSON at all', 'name=x&email=y'],
    ['an empty body', ''],
  ];
  for (const [title, raw] of malformedBodies) {
    it(`POST 400 for malformed JSON: ${title}`, async () => {
      const response = await sendJson(t.app, 'POST', '/api/users', raw);
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), { error: 'request body is not valid JSON', fields: {} });
    });
    it(`PUT 400 for malformed JSON: ${title}`, async () => {
      const user = await createUser(1);
      const response = await sendJson(t.app, 'PUT', `/api/users/${user.id}`, raw);
      assert.equal(response.status, 400);
    });
  }

  it('POST 413 for a body over 64 KiB', async () => {
    const response = await sendJson(t.app, 'POST', '/api/users', { ...validUser(), name: 'x'.repeat(70_000) });
    assert.equal(response.status, 413);
  });

  it('PUT 400 with failing fields', async () => {
    const user = await createUser(1);
    const response = await sendJson(t.app, 'PUT', `/api/users/${user.id}`, { email: 'broken', username: 'x' });
    assert.equal(response.status, 400);
    const answer = (await response.json()) as { fields: Record<string, string> };
    assert.deepEqual(Object.keys(answer.fields).sort(), ['email', 'username']);
  });

  it('PUT 400 when no known field is given', async () => {
    const user = await createUser(1);
    for (const body of [{}, { unknown: 'x' }]) {
      const response = await sendJson(t.app, 'PUT', `/api/users/${user.id}`, body);
      assert.equal(response.status, 400);
    }
  });

  it('POST 409 for a duplicate email (case-insensitive) or username', async () => {
    await createUser(1);
    const sameEmail = await sendJson(t.app, 'POST', '/api/users', {
      ...validUser(2),
      email: 'USER1@example.com',
    });
    assert.equal(sameEmail.status, 409);
    assert.deepEqual(Object.keys(((await sameEmail.json()) as { fields: object }).fields), ['email']);

    const sameUsername = await sendJson(t.app, 'POST', '/api/users', { ...validUser(3), username: 'User1' });
    assert.equal(sameUsername.status, 409);
    assert.deepEqual(Object.keys(((await sameUsername.json()) as { fields: object }).fields), ['username']);
  });

  it('PUT 409 when taking another user’s email or username', async () => {
    await createUser(1);
    const second = await createUser(2);
    const email = await sendJson(t.app, 'PUT', `/api/users/${second.id}`, { email: 'user1@example.com' });
    assert.equal(email.status, 409);
    const username = await sendJson(t.app, 'PUT', `/api/users/${second.id}`, { username: 'user1' });
    assert.equal(username.status, 409);
  });

  it('PUT keeping the user’s own email is not a conflict', async () => {
    const user = await createUser(1);
    const response = await sendJson(t.app, 'PUT', `/api/users/${user.id}`, { email: 'user1@example.com' });
    assert.equal(response.status, 200);
  });

  for (const id of ['999', 'abc', '0', '-1', '1.5', '1e3', '99999999999999999999', '%20']) {
    it(`404 for unknown or non-numeric id '${id}' on GET, PUT and DELETE`, async () => {
      await createUser(1);
      const get = await t.app.request(`/api/users/${id}`);
      const put = await sendJson(t.app, 'PUT', `/api/users/${id}`, { name: 'x' });
      const del = await t.app.request(`/api/users/${id}`, { method: 'DELETE' });
      for (const response of [get, put, del]) {
        assert.equal(response.status, 404);
        assert.deepEqual(await response.json(), { error: 'user not found' });
      }
    });
  }

  it('JSON 404 for an unknown API path', async () => {
    const response = await t.app.request('/api/nothing-here');
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'not found' });
  });
});
