import { randomBytes } from 'node:crypto';
import type { UserStore } from './user-store.ts';

export const DEMO_USERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada' },
  { name: 'Alan Turing', email: 'alan@example.com', username: 'alan' },
] as const;

/**
 * Adds the demo users only to an empty database, so a restart never brings back users someone deleted.
 * The app has no login, so each demo user gets a random password that nobody needs to know.
 */
export async function seedDemoUsers(store: UserStore): Promise<number> {
  if (store.count() > 0) return 0;
  for (const user of DEMO_USERS) {
    await store.create({ ...user, password: randomBytes(18).toString('base64url') });
  }
  return DEMO_USERS.length;
}
