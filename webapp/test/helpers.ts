import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp } from '../src/app.ts';
import { openDatabase, type Db } from '../src/db.ts';
import { createMetrics, type AppMetrics } from '../src/metrics.ts';

export interface TestApp {
  app: Hono;
  db: Db;
  metrics: AppMetrics;
}

export function createTestApp(databasePath = ':memory:'): TestApp {
  const db = openDatabase(databasePath);
  const metrics = createMetrics({ defaultMetrics: false });
  return { app: createApp({ db, metrics }), db, metrics };
}

export function sendJson(app: Hono, method: string, path: string, body?: unknown): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export function validUser(suffix: string | number = 1) {
  return {
    name: `User ${suffix}`,
    email: `user${suffix}@example.com`,
    username: `user${suffix}`,
    password: `secret-password-${suffix}`,
  };
}

/** A temporary folder removed by the returned cleanup. */
export function temporaryDirectory(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'miniwebapp-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
