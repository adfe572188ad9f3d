import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  httpRequestsTotal: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
}

export const UNMATCHED_ROUTE = 'unmatched';

/** A registry per app, so tests (and two apps in one process) never share counters. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    registry,
    httpRequestsTotal: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests handled, by method, route pattern and status code',
      labelNames,
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status code',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

/**
 * The route PATTERN that answered (`/api/users/:id`), never the raw path: raw paths would give one time series per
 * id and let any client grow Prometheus' memory. Middleware is registered with `use` (method ALL), handlers are not.
 */
export function routePattern(c: Context): string {
  const handlers = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  return handlers.at(-1)?.path ?? UNMATCHED_ROUTE;
}

export function metricsMiddleware(metrics: AppMetrics): MiddlewareHandler {
  return async (c, next) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      const labels = { method: c.req.method, route: routePattern(c), status: String(c.res.status) };
      stopTimer(labels);
      metrics.httpRequestsTotal.inc(labels);
    }
  };
}
