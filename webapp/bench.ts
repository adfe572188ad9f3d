// `npm run bench`: requests per second against the real server on 127.0.0.1, for GET /api/users with 1,000 users
// and for POST /api/users. Bounded by a request count and a time limit; prints a table. Not a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from './src/db.ts';
import { hashPassword } from './src/passwords.ts';

const SEEDED_USERS = 1_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 30);

interface Scenario {
  name: string;
  request: (index: number) => { path: string; init?: RequestInit };
  expectedStatus: number;
}

interface Result {
  name: string;
  completed: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  unexpected: number;
}

/** Inserts users directly with one shared scrypt hash: 1,000 hashes would only measure the seeding. */
async function seedUsers(databasePath: string): Promise<void> {
  const db = openDatabase(databasePath);
  const hash = await hashPassword('bench-password');
  const now = new Date().toISOString();
  const insert = db.prepare(
    'INSERT INTO users (name, email, username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < SEEDED_USERS; i++) insert.run(`Seeded ${i}`, `seeded${i}@example.com`, `seeded${i}`, hash, now, now);
  })();
  db.close();
}

async function startServer(databasePath: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: import.meta.dirname,
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: databasePath, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const port = /"message":"listening".*"port":(\d+)/.exec(output)?.[1];
    if (port) return { child, base: `http://127.0.0.1:${port}` };
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new Error(`server did not start within 15 s:\n${output}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

async function runScenario(base: string, scenario: Scenario): Promise<Result> {
  const latencies: number[] = [];
  let issued = 0;
  let unexpected = 0;
  const started = performance.now();
  const deadline = started + MAX_SECONDS * 1000;
  const worker = async () => {
    while (issued < REQUESTS && performance.now() < deadline) {
      const { path, init } = scenario.request(issued++);
      const sent = performance.now();
      const response = await fetch(base + path, init);
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
      if (response.status !== scenario.expectedStatus) unexpected++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name: scenario.name,
    completed: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    unexpected,
  };
}

const scenarios: Scenario[] = [
  { name: `GET /api/users (${SEEDED_USERS} users)`, request: () => ({ path: '/api/users' }), expectedStatus: 200 },
  {
    name: 'POST /api/users',
    expectedStatus: 201,
    request: (i) => ({
      path: '/api/users',
      init: {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Bench ${i}`, email: `bench${i}@example.com`, username: `bench${i}`, password: `bench-password-${i}` }),
      },
    }),
  },
];

const dir = mkdtempSync(join(tmpdir(), 'miniwebapp-bench-'));
const databasePath = join(dir, 'bench.db');
let server: ChildProcess | undefined;
try {
  await seedUsers(databasePath);
  const started = await startServer(databasePath);
  server = started.child;
  console.log(`MiniWebApp bench: ${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, at most ${MAX_SECONDS} s each`);
  await runScenario(started.base, { ...scenarios[0]!, name: 'warm-up' });
  const results: Result[] = [];
  for (const scenario of scenarios) results.push(await runScenario(started.base, scenario));
  console.table(
    results.map((r) => ({
      scenario: r.name,
      requests: r.completed,
      seconds: r.seconds.toFixed(2),
      'req/s': r.rps.toFixed(0),
      'p50 ms': r.p50.toFixed(1),
      'p95 ms': r.p95.toFixed(1),
      'p99 ms': r.p99.toFixed(1),
      'unexpected status': r.unexpected,
    })),
  );
  if (results.some((r) => r.unexpected > 0)) process.exitCode = 1;
} finally {
  server?.kill('SIGTERM');
  if (server) await new Promise((resolve) => server!.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
