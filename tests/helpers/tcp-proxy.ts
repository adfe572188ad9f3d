// A TCP relay on 127.0.0.1 in front of a test sshd: counts connections and
// bytes, and can cut every connection at once (a network failure mid-transfer).
import { type Socket, createConnection, createServer } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Client connections accepted so far. */
  readonly connections: number;
  /** Bytes relayed client -> server so far. */
  readonly bytesUp: number;
  /** Call `fn` once when more than `bytes` have gone up since now. */
  onBytesUp(bytes: number, fn: () => void): void;
  /** Destroy every relayed connection (both sides). */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let bytesUp = 0;
  const watchers: Array<{ at: number; fn: () => void }> = [];
  const server = createServer((client) => {
    connections++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.on('data', (b: Buffer) => {
      bytesUp += b.length;
      for (let i = watchers.length - 1; i >= 0; i--) {
        if (bytesUp >= watchers[i].at) watchers.splice(i, 1)[0].fn();
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    get connections() {
      return connections;
    },
    get bytesUp() {
      return bytesUp;
    },
    onBytesUp(bytes, fn) {
      watchers.push({ at: bytesUp + bytes, fn });
    },
    cutAll() {
      for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
