import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { normaliseAddress, type TrustedProxies } from './trusted-proxies.js';

/** Who sent a request, as the cloud counts and reports it (see `resolveClient`). */
export interface ResolvedClient {
  /** The client's address: the socket's, or the one a trusted proxy forwarded for. */
  address: string;
  /**
   * The X-Forwarded-For to hand on (API Gateway's to a Lambda function): what the client itself claimed,
   * unverified, then `address`, so its last entry is always the address the cloud believes.
   */
  forwardedFor: string;
}

/**
 * The client of a request, by the rules of an AWS load balancer: the socket's address, unless that is a
 * trusted proxy; then X-Forwarded-For is read from the right (each proxy appends the address it was
 * reached from), skipping trusted proxies, and the first address that is not one is the client. An
 * untrusted peer's X-Forwarded-For is never believed, so a client cannot choose its address. When every
 * address is trusted, the left-most is the client; an entry that is not an address (a trusted proxy's
 * mistake) stops the walk at the last address known. `::ffff:` is dropped from IPv4-mapped addresses.
 */
export function resolveClient(req: IncomingMessage, trusted: TrustedProxies): ResolvedClient {
  const peer = normaliseAddress(req.socket.remoteAddress ?? 'unknown');
  const header = forwardedHeader(req);
  if (!trusted.has(peer)) return { address: peer, forwardedFor: header ? `${header}, ${peer}` : peer };
  const entries = header ? header.split(',').map((entry) => entry.trim()) : [];
  let address = peer;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = addressOf(entries[i]!);
    if (entry === undefined) return { address, forwardedFor: [...entries.slice(0, i + 1), address].join(', ') };
    address = entry;
    if (!trusted.has(entry)) return { address, forwardedFor: [...entries.slice(0, i), address].join(', ') };
  }
  return { address, forwardedFor: address };
}

/** The address `resolveClient` names, without making the X-Forwarded-For to hand on. */
export function clientAddressOf(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = normaliseAddress(req.socket.remoteAddress ?? 'unknown');
  const header = forwardedHeader(req);
  if (!header || !trusted.has(peer)) return peer;
  return resolveClient(req, trusted).address;
}

/** The X-Forwarded-For header, its lines joined in order (node joins them; its types allow a list). */
function forwardedHeader(req: IncomingMessage): string | undefined {
  const header = req.headers['x-forwarded-for'];
  return Array.isArray(header) ? header.join(', ') : header;
}

/** An X-Forwarded-For entry's address: `10.0.0.5`, `10.0.0.5:1234`, `2001:db8::1` or `[2001:db8::1]:1234`. */
function addressOf(entry: string): string | undefined {
  let address = entry;
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end < 0) return undefined;
    address = address.slice(1, end);
  } else if (address.indexOf(':') > 0 && address.indexOf(':') === address.lastIndexOf(':')) {
    address = address.slice(0, address.indexOf(':')); // IPv4 with a port
  }
  return isIP(address) === 0 ? undefined : normaliseAddress(address);
}
