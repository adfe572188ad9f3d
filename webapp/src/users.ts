// Validation of the user JSON bodies: what the API accepts, and the message for every field it refuses.

export interface NewUser {
  name: string;
  email: string;
  username: string;
  password: string;
}

export type UserChanges = Partial<NewUser>;

/** What the API returns: never the password or its hash. */
export interface PublicUser {
  id: number;
  name: string;
  email: string;
  username: string;
  createdAt: string;
  updatedAt: string;
}

export type FieldErrors = Partial<Record<keyof NewUser, string>>;

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string; fields: FieldErrors };

export const USER_FIELDS = ['name', 'email', 'username', 'password'] as const;

export const LIMITS = {
  name: { min: 1, max: 100 },
  email: { min: 3, max: 254 },
  username: { min: 3, max: 32 },
  password: { min: 8, max: 128 },
} as const;

const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const USERNAME_SHAPE = /^[A-Za-z0-9_.-]+$/;

type FieldName = keyof NewUser;

function checkField(field: FieldName, raw: unknown): { value?: string; error?: string } {
  if (typeof raw !== 'string') return { error: `${field} must be a string` };
  const value = field === 'password' ? raw : raw.trim();
  const { min, max } = LIMITS[field];
  if (value.length === 0) return { error: `${field} is required` };
  if (value.length < min) return { error: `${field} must be at least ${min} characters` };
  if (value.length > max) return { error: `${field} must be at most ${max} characters` };
  if (field === 'email' && !EMAIL_SHAPE.test(value)) return { error: 'email must look like name@example.com' };
  if (field === 'username' && !USERNAME_SHAPE.test(value)) {
    return { error: 'username may contain only letters, digits, dot, dash and underscore' };
  }
  return { value: field === 'email' ? value.toLowerCase() : value };
}

function isPlainObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function collect(body: unknown, required: boolean): Validation<UserChanges> {
  if (!isPlainObject(body)) {
    return { ok: false, error: 'request body must be a JSON object with name, email, username, password', fields: {} };
  }
  const value: UserChanges = {};
  const fields: FieldErrors = {};
  for (const field of USER_FIELDS) {
    const raw = body[field];
    if (raw === undefined || raw === null) {
      if (required) fields[field] = `${field} is required`;
      continue;
    }
    const checked = checkField(field, raw);
    if (checked.error) fields[field] = checked.error;
    else value[field] = checked.value;
  }
  if (Object.keys(fields).length > 0) return { ok: false, error: 'validation failed', fields };
  return { ok: true, value };
}

/** POST body: all four fields are required. */
export function validateNewUser(body: unknown): Validation<NewUser> {
  return collect(body, true) as Validation<NewUser>;
}

/** PUT body: a partial update; each field given is checked like on create, and at least one must be given. */
export function validateUserChanges(body: unknown): Validation<UserChanges> {
  const result = collect(body, false);
  if (result.ok && Object.keys(result.value).length === 0) {
    return { ok: false, error: `give at least one of ${USER_FIELDS.join(', ')}`, fields: {} };
  }
  return result;
}

/** Route ids are digits only; anything past the safe-integer range cannot exist, so it is simply not found. */
export function parseUserId(raw: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(raw)) return undefined;
  const id = Number(raw);
  return id > 0 ? id : undefined;
}
