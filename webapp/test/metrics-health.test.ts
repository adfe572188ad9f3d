import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp } from '../src/app.ts';
import { openDatabase } from '../src/db.ts';
import { createMetrics } from '../src/metrics.ts';
import { createTestApp, sendJson, validUser } from './helpers.ts';

async function counterValue(t: ReturnType<typeof createTestApp>, labels: Record<string, string>): Promise<number> {
  const metric = await t.metrics.httpRequestsTotal.get();
  const match = metric.values.find((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want));
  return match?.value ?? 0;
}

describe('metrics', () => {
  it('counts requests by method, route pattern and status, never the raw path', async () => {
    const t = createTestApp();
    await sendJson(t.app, 'POST', '/api/users', validUser(1));
    await sendJson(t.app, 'POST', '/api/users', { name: '' });
    for (const id of ['1', '2', '3']) await t.app.request(`/api/users/${id}`);
    await t.app.request('/no/such/page');
    await t.app.request('/no/other/page');

    assert.equal(await counterValue(t, { method: 'POST', route: '/api/users', status: '201' }), 1);
    assert.equal(await counterValue(t, { method: 'POST', route: '/api/users', status: '400' }), 1);
    assert.equal(await counterValue(t, { method: 'GET', route: '/api/users/:id', status: '200' }), 1);
    assert.equal(await counterValue(t, { method: 'GET', route: '/api/users/:id', status: '404' }), 2);
    assert.equal(await counterValue(t, { method: 'GET', route: 'unmatched', status: '404' }), 2);

    const text = await (await t.app.request('/metrics')).text();
    assert.match(text, /http_requests_total\{method="GET",route="\/api\/users\/:id",status="404"\} 2/);
    assert.match(text, /http_request_duration_seconds_count\{method="GET",route="\/api\/users\/:id",status="200"\} 1/);
    assert.ok(!/route="\/api\/users\/[0-9]/.test(text), 'a raw id leaked into a route label');
    assert.ok(!text.includes('/no/such/page'));
  });

  it('serves default process metrics in Prometheus text format', async () => {
    const db = openDatabase(':memory:');
    const app = createApp({ db, metrics: createMetrics() });
    const response = await app.request('/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(text, /process_cpu_user_seconds_total/);
    assert.match(text, /nodejs_eventloop_lag_seconds/);
  });
});

describe('health', () => {
  it('/healthz answers ok', async () => {
    const t = createTestApp();
    const response = await t.app.request('/healthz');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('/readyz is 200 while the database answers and 503 once it does not', async () => {
    const t = createTestApp();
    const ready = await t.app.request('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ok');
    t.db.close();
    const notReady = await t.app.request('/readyz');
    assert.equal(notReady.status, 503);
    assert.equal(((await notReady.json()) as { status: string }).status, 'unavailable');
  });
});

describe('pages and assets', () => {
  it('renders the user list with escaped names, and the edit page', async () => {
    const t = createTestApp();
    await sendJson(t.app, 'POST', '/api/users', { ...validUser(1), name: '<script>alert(1)</script>' });
    const home = await t.app.request('/');
    assert.equal(home.status, 200);
    const html = await home.text();
    assert.match(html, /id="create-user-form"/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.match(html, /href="\/edit\/1"/);

    const edit = await t.app.request('/edit/1');
    assert.equal(edit.status, 200);
    assert.match(await edit.text(), /id="edit-user-form" data-user-id="1"/);
    assert.equal((await t.app.request('/edit/999')).status, 404);
    assert.equal((await t.app.request('/edit/abc')).status, 404);
  });

  it('serves its own script and stylesheet (no CDN) and nothing outside public/', async () => {
    const t = createTestApp();
    const script = await t.app.request('/assets/app.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    const style = await t.app.request('/assets/style.css');
    assert.equal(style.status, 200);
    assert.equal((await t.app.request('/assets/..%2Fpackage.json')).status, 404);
    assert.equal((await t.app.request('/assets/missing.js')).status, 404);
    const html = await (await t.app.request('/')).text();
    assert.ok(!/https?:\/\//.test(html), 'the page must not load anything from another host');
  });
});
