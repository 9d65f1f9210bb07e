import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KernelRuntime } from './create-kernel.js';
import { splitTarget } from './http-dispatch.js';
import type { UpgradeRoute } from './types.js';

/** The server's `upgrade` listener and what ends its connections when the cloud closes. */
export interface UpgradeDispatcher {
  (req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Lets each route close its connections gracefully, then destroys any socket still open. */
  closeAll(): Promise<void>;
}

/** Upgraded sockets leave node:http's bookkeeping, so `closeAllConnections` no longer sees them: this does. */
export function createUpgradeDispatcher(kernel: KernelRuntime): UpgradeDispatcher {
  const sockets = new Set<Duplex>();
  let closing = false;
  // Upgraded sockets not yet authenticated, per client address: one address cannot hold open many
  // WebSockets that never authenticate (each waits for its connection_init timeout).
  const unauthenticated = new Map<string, number>();
  const limit = (): number => kernel.config.connectionLimits.maxUnauthenticatedUpgradesPerAddress;

  const refuse = (socket: Duplex, status: number, message: string): void => {
    if (!socket.writable) return void socket.destroy();
    const body = JSON.stringify({ message });
    const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.end(head + body, () => socket.destroy());
  };

  const dispatch = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { rawPath } = splitTarget(req.url ?? '/');
    const log = (status: number | undefined, route?: UpgradeRoute): void =>
      kernel.log.info('upgrade', { method: req.method, path: rawPath, status, route: route?.name });
    socket.on('error', () => socket.destroy()); // a peer that vanishes mid-handshake is not our fault
    if (closing) return refuse(socket, 503, 'The cloud is shutting down.');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    } catch {
      log(400);
      return refuse(socket, 400, 'The request URL or Host header is malformed.');
    }
    const route = kernel.upgradeRoutes.find((candidate) => candidate.match(req, url));
    if (!route) {
      log(404);
      return refuse(socket, 404, `Nothing accepts an upgrade at ${rawPath}: check the endpoint URL.`);
    }
    // Counted per client, not per socket: behind a trusted load balancer each client has its own count.
    const address = kernel.clientAddress(req);
    const waiting = unauthenticated.get(address) ?? 0;
    if (limit() > 0 && waiting >= limit()) {
      kernel.log.warn('upgrade refused: too many unauthenticated connections from one address', { address, path: rawPath, limit: limit() });
      return refuse(socket, 429, 'Too many connections from your address have not authenticated yet: try again shortly.');
    }
    unauthenticated.set(address, waiting + 1);
    let counted = true;
    const authenticated = (): void => {
      if (!counted) return;
      counted = false;
      const left = (unauthenticated.get(address) ?? 1) - 1;
      if (left > 0) unauthenticated.set(address, left);
      else unauthenticated.delete(address);
    };
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      authenticated();
    });
    const fail = (error: unknown): void => {
      kernel.log.error('unexpected error', { route: route.name, path: rawPath, error });
      refuse(socket, 500, 'The server encountered an internal error. Please try again.');
    };
    log(undefined, route); // the route answers the handshake itself
    try {
      const pending = route.handle(req, socket, head, { authenticated });
      if (pending) pending.catch(fail);
    } catch (error) {
      fail(error);
    }
  };

  return Object.assign(dispatch, {
    async closeAll(): Promise<void> {
      closing = true;
      await Promise.allSettled(kernel.upgradeRoutes.map(async (route) => route.close?.()));
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  });
}
