import type { Socket } from 'node:net';
import { DEFAULT_MAX_QUEUED_REQUESTS } from './request-turns.js';
import type { ConnectionLimits } from './types.js';

/** The limits a cloud applies when config.json and CloudOptions set none. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
  maxPendingConnectionsPerAddress: 128,
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
 * counting once its first request's headers are in (`requestStarted`); idle keep-alive connections are
 * bounded by `keepAliveTimeout`, a slow second request by `headersTimeout`. A limit of 0 turns it off.
 */
export function createConnectionGuard(options: { maxPendingPerAddress: number; onRefused?: (address: string) => void }) {
  const pending = new Map<string, number>();
  const counted = new WeakSet<Socket>();
  const release = (socket: Socket, address: string): void => {
    if (!counted.delete(socket)) return;
    const left = (pending.get(address) ?? 1) - 1;
    if (left > 0) pending.set(address, left);
    else pending.delete(address);
  };
  return {
    /** The server's `connection` listener. */
    onConnection(socket: Socket): void {
      if (options.maxPendingPerAddress <= 0) return;
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
    /** A request (or upgrade) head arrived on this socket: it no longer counts as pending. */
    requestStarted(socket: Socket): void {
      if (counted.has(socket)) release(socket, socket.remoteAddress ?? 'unknown');
    },
    /** Connections still pending, per address (for tests and diagnostics). */
    pendingCount: (address: string): number => pending.get(address) ?? 0,
  };
}

export type ConnectionGuard = ReturnType<typeof createConnectionGuard>;
