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

  const refuse = (socket: Duplex, status: number, message: string): void => {
    if (!socket.writable) return void socket.destroy();
    const body = JSON.stringify({ message });
    const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.end(head + body, () => socket.destroy());
  };

  const dispatch = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { rawPath } = splitTarget(req.url ?? '/');
    const log = (status: number | undefined, route?: UpgradeRoute): void => kernel.log.info('upgrade', { method: req.method, path: rawPath, status, route: route?.name });
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
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const fail = (error: unknown): void => {
      kernel.log.error('unexpected error', { route: route.name, path: rawPath, error });
      refuse(socket, 500, 'The server encountered an internal error. Please try again.');
    };
    log(undefined, route); // the route answers the handshake itself
    try {
      const pending = route.handle(req, socket, head);
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
