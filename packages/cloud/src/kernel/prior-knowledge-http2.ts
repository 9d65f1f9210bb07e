import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';

/** What an HTTP/2 client without TLS sends first ("prior knowledge", RFC 9113 §3.3). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Response headers HTTP/2 forbids (RFC 9113 §8.2.2); code written for HTTP/1 may set them, so they are dropped. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Whether a connection's first bytes are HTTP/2's preface (at least `PRI `: no HTTP/1 method is PRI). */
export function startsHttp2(chunk: Buffer): boolean {
  const length = Math.min(chunk.length, PREFACE.length);
  return length >= 4 && chunk.subarray(0, length).equals(PREFACE.subarray(0, length));
}

export interface PriorKnowledgeHttp2 {
  /** Asks every HTTP/2 connection to end once its requests under way are answered (a GOAWAY), as a closing server does. */
  closeIdle(): void;
  /** Ends every HTTP/2 connection at once. */
  closeAll(): void;
}

/**
 * Lets an HTTP/1 server also take HTTP/2 without TLS on the same port, as the AWS SDK for JavaScript's clients of
 * streaming APIs (Kinesis) speak it in Node: a connection whose first bytes are HTTP/2's preface becomes an HTTP/2
 * session whose requests go to `onRequest` as HTTP/1 ones would (`host` from `:authority` when missing, the headers
 * HTTP/2 forbids dropped from answers); any other connection is handed to the server's own HTTP/1 handling once its
 * first bytes are there. A connection that sends nothing for `firstBytesTimeoutMs` is ended, and one address
 * keeps at most `maxSessionsPerAddress` HTTP/2 connections (as HTTP/1's idle ones are bounded). Call before any
 * other `connection` listener is added: the server's own (node's HTTP/1) is then its only one.
 */
export function acceptPriorKnowledgeHttp2(
  server: Server,
  options: {
    onRequest(req: IncomingMessage, res: ServerResponse): void;
    firstBytesTimeoutMs: number;
    /** An HTTP/2 session with nothing under way is ended after this long (HTTP/1's keep-alive timeout). */
    idleTimeoutMs: number;
    /** Most HTTP/2 connections open at once from one address (0: no limit); more are ended at their preface. */
    maxSessionsPerAddress: number;
    /** Connections from these addresses are not counted (a trusted proxy pools many clients' requests). */
    isTrustedProxy?: (address: string | undefined) => boolean;
    /** An HTTP/2 connection's preface arrived (it is no longer a connection waiting for its first request). */
    onHttp2Connection?(socket: Socket): void;
  },
): PriorKnowledgeHttp2 {
  const own = server.listeners('connection');
  if (own.length !== 1) throw new Error('acceptPriorKnowledgeHttp2 must be called before other connection listeners are added');
  const http1 = own[0] as (socket: Socket) => void;
  server.removeListener('connection', http1);
  const sessions = new Set<ServerHttp2Session>();
  const perAddress = new Map<string, number>();
  /** Counts an HTTP/2 connection of its address, or answers false when the address has its most already. */
  const admit = (socket: Socket): boolean => {
    if (options.maxSessionsPerAddress <= 0 || options.isTrustedProxy?.(socket.remoteAddress)) return true;
    const address = socket.remoteAddress ?? 'unknown';
    const count = perAddress.get(address) ?? 0;
    if (count >= options.maxSessionsPerAddress) return false;
    perAddress.set(address, count + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    return true;
  };
  const http2 = createHttp2Server();
  http2.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.setTimeout(options.idleTimeoutMs, () => session.close());
    session.on('error', () => session.destroy());
  });
  http2.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const headers = req.headers;
    if (headers.host === undefined && typeof headers[':authority'] === 'string') headers.host = headers[':authority'];
    options.onRequest(req as unknown as IncomingMessage, withoutConnectionHeaders(res) as unknown as ServerResponse);
  });
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), options.firstBytesTimeoutMs);
    socket.once('close', () => clearTimeout(timer));
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      socket.pause();
      socket.unshift(chunk);
      if (startsHttp2(chunk)) {
        options.onHttp2Connection?.(socket);
        if (!admit(socket)) {
          socket.destroy();
          return;
        }
        // The session reads what is buffered itself; resuming would hand it to nobody.
        http2.emit('connection', socket);
      } else {
        http1.call(server, socket);
        socket.resume();
      }
    });
  });
  return {
    closeIdle: () => {
      for (const session of sessions) session.close();
    },
    closeAll: () => {
      for (const session of sessions) session.destroy();
    },
  };
}

function withoutConnectionHeaders(res: Http2ServerResponse): Http2ServerResponse {
  const strip = (headers: unknown): unknown => {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return headers;
    return Object.fromEntries(Object.entries(headers as OutgoingHttpHeaders).filter(([name]) => !CONNECTION_HEADERS.has(name.toLowerCase())));
  };
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => Http2ServerResponse;
  const setHeader = res.setHeader.bind(res);
  // A status message (HTTP/1's reason phrase) has no place in HTTP/2: only the headers are kept.
  res.writeHead = ((status: number, ...rest: unknown[]) =>
    writeHead(status, ...rest.filter((arg) => typeof arg !== 'string').map(strip))) as Http2ServerResponse['writeHead'];
  res.setHeader = ((name: string, value: number | string | readonly string[]) =>
    CONNECTION_HEADERS.has(name.toLowerCase()) ? res : setHeader(name, value)) as Http2ServerResponse['setHeader'];
  return res;
}
