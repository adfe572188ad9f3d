import { Hono, type Context } from 'hono';
import { DuplicateUserError, type UserStore } from './user-store.ts';
import { parseUserId, validateNewUser, validateUserChanges } from './users.ts';

const NOT_FOUND = { error: 'user not found' } as const;

/** Reads the JSON body; undefined means it was not JSON, which the caller answers with 400. */
async function readJson(c: Context): Promise<{ body: unknown } | undefined> {
  try {
    return { body: await c.req.json() };
  } catch {
    return undefined;
  }
}

const MALFORMED_JSON = { error: 'request body is not valid JSON', fields: {} } as const;

function duplicateResponse(c: Context, error: DuplicateUserError) {
  return c.json({ error: error.message, fields: { [error.field]: error.message } }, 409);
}

export function userApiRoutes(store: UserStore): Hono {
  const api = new Hono();

  api.get('/', (c) => c.body(store.listJson(), 200, { 'Content-Type': 'application/json' }));

  api.get('/:id', (c) => {
    const id = parseUserId(c.req.param('id'));
    const user = id === undefined ? undefined : store.get(id);
    return user ? c.json(user) : c.json(NOT_FOUND, 404);
  });

  api.post('/', async (c) => {
    const parsed = await readJson(c);
    if (!parsed) return c.json(MALFORMED_JSON, 400);
    const validation = validateNewUser(parsed.body);
    if (!validation.ok) return c.json({ error: validation.error, fields: validation.fields }, 400);
    try {
      const user = await store.create(validation.value);
      c.header('Location', `/api/users/${user.id}`);
      return c.json(user, 201);
    } catch (error) {
      if (error instanceof DuplicateUserError) return duplicateResponse(c, error);
      throw error;
    }
  });

  api.put('/:id', async (c) => {
    const id = parseUserId(c.req.param('id'));
    if (id === undefined || !store.get(id)) return c.json(NOT_FOUND, 404);
    const parsed = await readJson(c);
    if (!parsed) return c.json(MALFORMED_JSON, 400);
    const validation = validateUserChanges(parsed.body);
    if (!validation.ok) return c.json({ error: validation.error, fields: validation.fields }, 400);
    try {
      const user = await store.update(id, validation.value);
      return user ? c.json(user) : c.json(NOT_FOUND, 404);
    } catch (error) {
      if (error instanceof DuplicateUserError) return duplicateResponse(c, error);
      throw error;
    }
  });

  api.delete('/:id', (c) => {
    const id = parseUserId(c.req.param('id'));
    if (id === undefined || !store.remove(id)) return c.json(NOT_FOUND, 404);
    return c.body(null, 204);
  });

  return api;
}
