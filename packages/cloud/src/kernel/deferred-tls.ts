import type { Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';

export interface DeferredTls {
  /** Settles when the credentials have arrived (connections are then served) or could not be had (then refused). */
  readonly ready: Promise<void>;
  /** Ends the connections still waiting for the credentials (a server closing does not wait for them). */
  dropWaiting(): void;
}

const ignore = (): void => undefined;

/**
 * Lets a TLS server listen before it has its certificate. A connection that arrives first waits, its bytes kept by
 * its socket, and starts its handshake once `credentials` resolves; if they cannot be had, waiting and later
 * connections are ended. The server must have been made without a certificate (`createServer({})`): its own
 * connection listener, which starts the handshake with the server's current credentials, is what runs later.
 */
export function serveWhenCredentialsArrive(server: TlsServer, credentials: Promise<{ cert: string; key: string }>): DeferredTls {
  const listeners = server.listeners('connection') as ((socket: Socket) => void)[];
  if (listeners.length !== 1) throw new Error(`A TLS server with ${listeners.length} connection listeners cannot wait for its certificate.`);
  const handshake = listeners[0]!;
  server.removeListener('connection', handshake);
  const waiting = new Set<Socket>();
  let state: 'waiting' | 'ready' | 'failed' = 'waiting';
  const forget = (socket: Socket): void => {
    waiting.delete(socket);
    // A reset while waiting is the client's business: without a listener its 'error' would stop the process.
    socket.removeListener('error', ignore);
  };
  server.on('connection', (socket: Socket) => {
    if (state === 'ready') handshake.call(server, socket);
    else if (state === 'failed') socket.destroy();
    else {
      waiting.add(socket);
      socket.on('error', ignore);
      socket.once('close', () => forget(socket));
    }
  });
  const ready = credentials.then(
    (made) => {
      server.setSecureContext({ cert: made.cert, key: made.key });
      state = 'ready';
      for (const socket of [...waiting]) {
        forget(socket);
        if (!socket.destroyed) handshake.call(server, socket);
      }
    },
    (error: unknown) => {
      state = 'failed';
      for (const socket of [...waiting]) socket.destroy();
      throw error;
    },
  );
  // Whoever awaits `ready` sees a failure; nobody awaiting it is not an unhandled rejection.
  ready.catch(ignore);
  return {
    ready,
    dropWaiting: () => {
      for (const socket of [...waiting]) socket.destroy();
    },
  };
}
