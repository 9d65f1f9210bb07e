import type { Socket } from 'node:net';
import { DEFAULT_MAX_QUEUED_REQUESTS } from './request-turns.js';
import type { ConnectionLimits } from './types.js';

/** The limits a cloud applies when config.json and CloudOptions set none. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
  maxPendingConnectionsPerAddress: 128,
  // Well above what one client or a load balancer's connection pool keeps idle; a bound, not a target.
  maxIdleConnectionsPerAddress: 1024,
  maxUnauthenticatedUpgradesPerAddress: 100,
  realtimeInitTimeoutMs: 15_000,
  maxQueuedRequests: DEFAULT_MAX_QUEUED_REQUESTS,
};

const REFUSAL_BODY = 'Too many connections from your address are waiting to send a request: try again shortly.\n';
const REFUSAL = `HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(REFUSAL_BODY)}\r\n\r\n${REFUSAL_BODY}`;

/**
 * Counts, per client address, the connections that have not yet sent a complete request head (a slow or
 * silent client: slowloris), and refuses a new one past the limit with a 503 and a close, so one address
 * cannot hold every socket the cloud can open while node's `headersTimeout` runs. A connection stops
 * counting once its first request's headers are in (`requestStarted`); a slow second request is bounded by
 * `headersTimeout`. Idle keep-alive connections (every answer sent, none asked yet: `responseFinished`) are
 * kept `keepAliveTimeout` (65 s), so one address could otherwise hold thousands: past `maxIdlePerAddress`, its
 * connection idle the longest is closed (a client reuses its most recent ones first). A limit of 0 turns it off.
 * Connections from a trusted proxy (`isTrustedProxy`: the load balancer, which pools many clients' requests on
 * its connections) are not counted: the balancer bounds its own, and per-client limits apply to requests.
 */
export function createConnectionGuard(options: {
  maxPendingPerAddress: number;
  maxIdlePerAddress?: number;
  onRefused?: (address: string) => void;
  isTrustedProxy?: (address: string | undefined) => boolean;
}) {
  const trusted = options.isTrustedProxy ?? ((): boolean => false);
  const pending = new Map<string, number>();
  const counted = new WeakSet<Socket>();
  const release = (socket: Socket, address: string): void => {
    if (!counted.delete(socket)) return;
    const left = (pending.get(address) ?? 1) - 1;
    if (left > 0) pending.set(address, left);
    else pending.delete(address);
  };
  const maxIdle = options.maxIdlePerAddress ?? 0;
  // Per address, its idle connections, longest idle first (a Set keeps insertion order).
  const idle = new Map<string, Set<Socket>>();
  const inFlight = new WeakMap<Socket, number>();
  const watched = new WeakSet<Socket>();
  const busy = (socket: Socket, address: string): void => {
    const sockets = idle.get(address);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) idle.delete(address);
  };
  return {
    /** The server's `connection` listener. */
    onConnection(socket: Socket): void {
      if (options.maxPendingPerAddress <= 0 || trusted(socket.remoteAddress)) return;
      const address = socket.remoteAddress ?? 'unknown';
      const count = pending.get(address) ?? 0;
      if (count >= options.maxPendingPerAddress) {
        options.onRefused?.(address);
        socket.on('error', () => socket.destroy());
        socket.end(REFUSAL, () => socket.destroy());
        return;
      }
      pending.set(address, count + 1);
      counted.add(socket);
      socket.once('close', () => release(socket, address));
    },
    /** A request (or upgrade) head arrived on this socket: it no longer counts as pending, nor as idle. */
    requestStarted(socket: Socket): void {
      const address = socket.remoteAddress ?? 'unknown';
      if (counted.has(socket)) release(socket, address);
      if (maxIdle <= 0) return;
      inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
      busy(socket, address);
    },
    /** A response on this socket was sent (its `finish`): with no other request under way, the socket is idle. */
    responseFinished(socket: Socket): void {
      if (maxIdle <= 0) return;
      const left = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, left);
      // Not writable: node is closing it (`Connection: close`, or the client ended its side).
      if (left > 0 || socket.destroyed || !socket.writable) return;
      const address = socket.remoteAddress ?? 'unknown';
      if (trusted(address)) return;
      let sockets = idle.get(address);
      if (!sockets) idle.set(address, (sockets = new Set()));
      if (!watched.has(socket)) {
        watched.add(socket);
        socket.once('close', () => busy(socket, address));
      }
      sockets.add(socket);
      if (sockets.size <= maxIdle) return;
      const oldest = sockets.values().next().value!;
      busy(oldest, address);
      // Idle: no answer is cut off. (A request sent on it at this very moment meets the close, as it would at
      // the keep-alive timeout; only past the limit.)
      oldest.destroy();
    },
    /** Connections still pending, per address (for tests and diagnostics). */
    pendingCount: (address: string): number => pending.get(address) ?? 0,
    /** Idle keep-alive connections, per address (for tests and diagnostics). */
    idleCount: (address: string): number => idle.get(address)?.size ?? 0,
  };
}

export type ConnectionGuard = ReturnType<typeof createConnectionGuard>;
