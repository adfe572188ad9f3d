import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from '../src/passwords.ts';
import { parseUserId, validateNewUser, validateUserChanges } from '../src/users.ts';
import { validUser } from './helpers.ts';

describe('validateNewUser', () => {
  it('accepts a complete user and normalises it', () => {
    const result = validateNewUser({ ...validUser(), email: 'MiXeD@Example.com', extra: 'ignored' });
    assert.ok(result.ok);
    assert.equal(result.value.email, 'mixed@example.com');
    assert.ok(!('extra' in result.value));
  });

  it('keeps the password exactly as typed (spaces are part of it)', () => {
    const result = validateNewUser({ ...validUser(), password: '  spaced password  ' });
    assert.ok(result.ok);
    assert.equal(result.value.password, '  spaced password  ');
  });
});

describe('validateUserChanges', () => {
  it('accepts any subset of fields', () => {
    const result = validateUserChanges({ username: 'new.name' });
    assert.deepEqual(result, { ok: true, value: { username: 'new.name' } });
  });
});

describe('parseUserId', () => {
  it('accepts positive integers only', () => {
    assert.equal(parseUserId('42'), 42);
    for (const raw of ['0', '-1', 'abc', '1.0', '', '1234567890123456']) assert.equal(parseUserId(raw), undefined, raw);
  });
});

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    assert.ok(await verifyPassword('correct horse', stored));
    assert.ok(!(await verifyPassword('wrong horse', stored)));
    assert.ok(!(await verifyPassword('correct horse', 'plain-text')));
  });
});
