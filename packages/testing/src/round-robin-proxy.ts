import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** A load balancer for tests: each request (and each WebSocket) goes to the next target in turn. */
export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>`: known before any target, so clouds can be started with it as their public URL. */
  url: string;
  /** The instances to balance over (`http://host:port`); set when they are up. */
  setTargets(targets: string[]): void;
  /** Which target each request went to, in order (for tests that need both to have served). */
  served(): string[];
  close(): Promise<void>;
}

/**
 * Starts a round-robin HTTP proxy on a free port of 127.0.0.1, keeping each request's Host header (clients
 * sign it) and passing WebSocket upgrades through. A target that refuses the connection is skipped for
 * that request or upgrade, as a balancer does with an instance it found down.
 */
export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let targets: URL[] = [];
  let next = 0;
  const log: string[] = [];
  const sockets = new Set<Socket | Duplex>();
  const pick = (tried: number): URL | undefined => (tried >= targets.length ? undefined : targets[next++ % targets.length]);

  const forward = (req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse, tried: number): void => {
    const target = pick(tried);
    if (!target) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      return void res.end('no instance answered');
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      log.push(target.origin);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && !res.headersSent) return forward(req, body, res, tried + 1);
      res.destroy();
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(req, Buffer.concat(chunks), res, 0));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  /**
   * Passes a WebSocket upgrade to the next target; one that refuses the connection is skipped (the client has
   * seen nothing yet), as `forward` does for HTTP. With no target left, the client is answered 502.
   */
  const upgrade = (req: IncomingMessage, client: Duplex, head: Buffer, tried: number): void => {
    const target = pick(tried);
    if (!target) {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: 20\r\nconnection: close\r\n\r\nno instance answered');
      return;
    }
    let connected = false;
    const upstream = connect(Number(target.port), target.hostname, () => {
      connected = true;
      log.push(target.origin);
      const headers = Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value ?? '']).map((v) => `${name}: ${v}`));
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const end = (): void => {
      upstream.destroy();
      client.destroy();
    };
    const clientGone = (): void => void upstream.destroy();
    client.once('close', clientGone);
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (connected || error.code !== 'ECONNREFUSED' || client.destroyed) return end();
      client.off('close', clientGone);
      upgrade(req, client, head, tried + 1);
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (connected) end();
    });
  };
  server.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    upgrade(req, client, head, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setTargets: (list) => {
      targets = list.map((target) => new URL(target));
    },
    served: () => [...log],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
