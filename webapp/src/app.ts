import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { userApiRoutes } from './api-users.ts';
import { loadAssets } from './assets.ts';
import { isDatabaseReady, type Db } from './db.ts';
import { silentLogger, type Logger } from './logger.ts';
import { metricsMiddleware, type AppMetrics } from './metrics.ts';
import { createUserStore } from './user-store.ts';
import { parseUserId } from './users.ts';
import { renderEditPage, renderHomePage, renderNotFoundPage } from './views.ts';

export interface AppDependencies {
  db: Db;
  metrics: AppMetrics;
  logger?: Logger;
}

const MAX_BODY_BYTES = 64 * 1024;

export function createApp({ db, metrics, logger = silentLogger }: AppDependencies): Hono {
  const app = new Hono();
  const store = createUserStore(db);
  const assets = loadAssets();

  app.use('*', metricsMiddleware(metrics));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    logger.debug('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `request body is larger than ${MAX_BODY_BYTES} bytes`, fields: {} }, 413),
    }),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    isDatabaseReady(db)
      ? c.json({ status: 'ok', database: 'ok' })
      : c.json({ status: 'unavailable', database: 'not answering' }, 503),
  );
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  app.route('/api/users', userApiRoutes(store));

  app.get('/', (c) => c.html(renderHomePage(store.list())));
  app.get('/edit/:id', (c) => {
    const id = parseUserId(c.req.param('id'));
    const user = id === undefined ? undefined : store.get(id);
    return user ? c.html(renderEditPage(user)) : c.html(renderNotFoundPage(), 404);
  });
  app.get('/assets/:file', (c) => {
    const asset = assets.get(c.req.param('file'));
    if (!asset) return c.text('not found', 404);
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType });
  });

  app.notFound((c) =>
    c.req.path.startsWith('/api/') ? c.json({ error: 'not found' }, 404) : c.html(renderNotFoundPage(), 404),
  );
  app.onError((error, c) => {
    logger.error('unhandled error', { method: c.req.method, path: c.req.path, error: String(error) });
    return c.json({ error: 'internal server error' }, 500);
  });

  return app;
}
