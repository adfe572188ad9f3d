import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  port: number;
  /**
   * Stops accepting connections and resolves once in-flight requests have finished; after `timeoutMs` the
   * remaining connections are cut so a stuck client cannot hold the shutdown past Docker's stop timeout.
   */
  close(timeoutMs: number): Promise<void>;
}

export async function startHttpServer(app: Hono, port: number, host: string): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const forceTimer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        forceTimer.unref();
        // close() also ends idle keep-alive sockets (Node >= 19); busy ones end after their response.
        server.close((error) => {
          clearTimeout(forceTimer);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
