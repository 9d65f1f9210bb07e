import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';

/**
 * AppSync's realtime protocol (the `graphql-ws` subprotocol that aws-amplify v6 speaks): connection_init →
 * connection_ack, `ka` keep-alives, start → start_ack → data…, stop → complete, and error frames. It knows
 * nothing of GraphQL or of who may see what: the hooks decide that, per connection and per `start`.
 */

/** The subprotocol the server must select: browsers fail the handshake without it. */
export const REALTIME_SUBPROTOCOL = 'graphql-ws';

/** An error a frame reports as `{errorType, message}` (UnauthorizedException makes the client reconnect with fresh tokens). */
export class RealtimeError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = 'RealtimeError';
  }
}

export interface StartRequest {
  id: string;
  /** `payload.data` exactly as received: IAM signatures of a start cover this string. */
  data: string;
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
  /** The `extensions.authorization` of this start: each subscription is authorised on its own. */
  authorization: Record<string, string>;
}

/**
 * A `data` payload already serialized to JSON: one event rendered for many subscribers is serialized once
 * and each frame only wraps it with its subscription id.
 */
export class SerializedPayload {
  constructor(readonly json: string) {}
}

/** A running subscription: `stop()` ends it (stop frame, socket close, server shutdown or `expiresAt`). */
export interface RunningSubscription {
  stop(): void;
  /**
   * When the subscriber's credentials stop counting (epoch ms). The subscription is ended then with an
   * UnauthorizedException "Token expired" error: aws-amplify ends that subscription with an error for the
   * app and reconnects its socket with fresh tokens for the others.
   */
  expiresAt?: number;
}

/** setTimeout's longest delay; a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RealtimeHooks {
  /** Checks the connection's auth header (from the `header-…` subprotocol or the `header` query parameter). */
  authorizeConnection(header: Record<string, string>, req: IncomingMessage): Promise<void>;
  /**
   * Starts a subscription; `send` delivers one `data` payload (`{data, errors?}`, or the same as a
   * SerializedPayload). Throws RealtimeError to refuse.
   */
  start(request: StartRequest, send: (payload: unknown) => void): Promise<RunningSubscription>;
}

export interface RealtimeOptions {
  /** How often `ka` is sent (AppSync: every minute; the client tolerates up to 65 s). Default 30 s. */
  keepAliveMs?: number;
  /** `connectionTimeoutMs` announced in the ack (the client reconnects after this much silence). */
  connectionTimeoutMs?: number;
  /** A connection that sends no connection_init in this time is closed. Default 15 s. */
  initTimeoutMs?: number;
  /** Most subscriptions one connection may hold at once (`graphql.maxSubscriptionsPerConnection`). Default 100, AppSync's. */
  maxSubscriptions?: number;
  /** Called once the connection is authorized (connection_ack): it no longer counts as unauthenticated. */
  onAuthenticated?: () => void;
  /**
   * Most bytes of frames waiting for the client to read them (the socket's `bufferedAmount`) before the connection
   * is cut. Default 16 MiB.
   */
  maxBufferedBytes?: number;
}

/**
 * A client that stops reading (its TCP window at zero: the connection stays up) would otherwise have every event of
 * its subscriptions and every keep-alive kept in the cloud's memory for as long as it stays connected.
 */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

const decodeHeader = (encoded: string): Record<string, string> => {
  // A `+` of standard base64 sent unescaped in the query string reads back as a space.
  const json = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/').replace(/ /g, '+'), 'base64').toString('utf8');
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
};

/**
 * The connection's auth header: the `header-<base64url JSON>` subprotocol (aws-amplify since Aug 2024) or
 * the `?header=<base64 JSON>` query parameter (older clients). Undefined when neither is present.
 */
export function connectionHeader(req: IncomingMessage): Record<string, string> | undefined {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith('header-'));
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('header');
  const encoded = fromProtocol ? fromProtocol.slice('header-'.length) : query;
  if (!encoded) return undefined;
  try {
    return decodeHeader(encoded);
  } catch {
    throw new RealtimeError('BadRequestException', 'The connection header is not base64-encoded JSON.', 400);
  }
}

const errorPayload = (error: unknown): { errors: { errorType: string; message: string; errorCode?: number }[] } => {
  if (error instanceof RealtimeError)
    return { errors: [{ errorType: error.errorType, message: error.message, ...(error.errorCode ? { errorCode: error.errorCode } : {}) }] };
  return { errors: [{ errorType: 'InternalFailure', message: 'The subscription could not be started.' }] };
};

/**
 * Serves one realtime connection. Returns when the socket closes; every subscription is stopped then.
 * `onUnexpected` receives errors that are the server's fault (logged by the caller, answered masked).
 */
export function serveRealtimeConnection(
  socket: WebSocket,
  req: IncomingMessage,
  hooks: RealtimeHooks,
  options: RealtimeOptions & { onUnexpected?: (error: unknown) => void } = {},
): Promise<void> {
  const keepAliveMs = options.keepAliveMs ?? 30_000;
  const maxSubscriptions = options.maxSubscriptions ?? 100;
  const subscriptions = new Map<string, RunningSubscription | 'starting'>();
  let acknowledged = false;
  // A connection_init is being authorised: more of them meanwhile are ignored, as once it is acknowledged. Each
  // would otherwise answer its own connection_ack and start a keep-alive timer of its own, only the last of which
  // the close stops: the rest, with this connection's closure, lived as long as the cloud.
  let initializing = false;
  let keepAlive: NodeJS.Timeout | undefined;
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const sendText = (text: string): void => {
    if (socket.readyState !== socket.OPEN) return;
    // A close frame would wait behind what the client does not read: the connection is cut instead (aws-amplify
    // reconnects and starts its subscriptions again).
    if (socket.bufferedAmount > maxBuffered) return socket.terminate();
    socket.send(text);
  };
  const send = (frame: unknown): void => {
    if (socket.readyState === socket.OPEN) sendText(JSON.stringify(frame));
  };
  const initTimer = setTimeout(() => socket.close(4408, 'connection_init timeout'), options.initTimeoutMs ?? 15_000);

  const stopAll = (): void => {
    for (const running of subscriptions.values()) if (running !== 'starting') running.stop();
    subscriptions.clear();
  };

  const onInit = async (): Promise<void> => {
    clearTimeout(initTimer);
    try {
      const header = connectionHeader(req);
      if (!header) throw new RealtimeError('UnauthorizedException', 'The connection carries no authorization header.', 401);
      await hooks.authorizeConnection(header, req);
    } catch (error) {
      if (!(error instanceof RealtimeError)) options.onUnexpected?.(error);
      send({ type: 'connection_error', payload: errorPayload(error) });
      socket.close(1000);
      return;
    }
    // Closed while it was authorised: the close has run, and nothing started now would be stopped.
    if (socket.readyState !== socket.OPEN) return;
    acknowledged = true;
    options.onAuthenticated?.();
    send({ type: 'connection_ack', payload: { connectionTimeoutMs: options.connectionTimeoutMs ?? 300_000 } });
    keepAlive = setInterval(() => send({ type: 'ka' }), keepAliveMs);
    keepAlive.unref();
  };

  const onStart = async (id: string, payload: unknown): Promise<void> => {
    const fail = (error: unknown): void => {
      if (!(error instanceof RealtimeError)) options.onUnexpected?.(error);
      send({ id, type: 'error', payload: errorPayload(error) });
    };
    if (subscriptions.has(id)) return fail(new RealtimeError('BadRequestException', `A subscription with id ${id} is already running.`, 400));
    if (subscriptions.size >= maxSubscriptions) {
      // Each subscription renders every event it matches: without a bound one socket multiplies every write.
      return fail(
        new RealtimeError(
          'MaxSubscriptionsReachedError',
          `Max number of ${maxSubscriptions} subscriptions reached: a connection holds at most ${maxSubscriptions} at once (graphql.maxSubscriptionsPerConnection of the cloud's config.json); stop one first.`,
        ),
      );
    }
    const p = payload as { data?: unknown; extensions?: { authorization?: unknown } } | undefined;
    let request: StartRequest;
    try {
      const raw = String(p?.data);
      const data = JSON.parse(raw) as { query?: unknown; variables?: unknown; operationName?: unknown };
      if (typeof data.query !== 'string') throw new Error('no query');
      const authorization = p?.extensions?.authorization;
      request = {
        id,
        data: raw,
        query: data.query,
        ...(typeof data.operationName === 'string' ? { operationName: data.operationName } : {}),
        variables: typeof data.variables === 'object' && data.variables !== null ? (data.variables as Record<string, unknown>) : {},
        authorization:
          typeof authorization === 'object' && authorization !== null ? Object.fromEntries(Object.entries(authorization).map(([k, v]) => [k, String(v)])) : {},
      };
    } catch {
      return fail(new RealtimeError('BadRequestException', 'payload.data must be a JSON string with a query and variables.', 400));
    }
    subscriptions.set(id, 'starting');
    const framePrefix = `{"id":${JSON.stringify(id)},"type":"data","payload":`;
    // Data goes out only while this very subscription runs: not before its start_ack, nor after it was
    // stopped or expired (a delivery already under way then is dropped).
    let live: RunningSubscription | undefined;
    const sendData = (data: unknown): void => {
      if (live === undefined || subscriptions.get(id) !== live) return;
      if (!(data instanceof SerializedPayload)) return send({ id, type: 'data', payload: data });
      sendText(`${framePrefix}${data.json}}`);
    };
    try {
      const started = await hooks.start(request, sendData);
      if (subscriptions.get(id) !== 'starting') {
        started.stop(); // stopped (or the socket closed) while starting
        return;
      }
      const running = started.expiresAt === undefined ? started : expiring(id, started, started.expiresAt);
      subscriptions.set(id, running);
      live = running;
      send({ id, type: 'start_ack' });
    } catch (error) {
      subscriptions.delete(id);
      fail(error);
    }
  };

  /** `running`, ended at `expiresAt` with a "Token expired" error unless it was stopped before. */
  const expiring = (id: string, running: RunningSubscription, expiresAt: number): RunningSubscription => {
    let timer: NodeJS.Timeout | undefined;
    const wrapped: RunningSubscription = {
      expiresAt,
      stop: () => {
        clearTimeout(timer);
        running.stop();
      },
    };
    // The first check is a timer too, even when the time has come: it runs after the start is acknowledged.
    const arm = (): void => {
      timer = setTimeout(check, Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS));
      timer.unref();
    };
    const check = (): void => {
      if (expiresAt > Date.now()) return arm();
      if (subscriptions.get(id) !== wrapped) return;
      subscriptions.delete(id);
      running.stop();
      send({
        id,
        type: 'error',
        payload: errorPayload(
          new RealtimeError(
            'UnauthorizedException',
            'Token expired: the credentials of this subscription are no longer valid; subscribe again with fresh ones.',
            401,
          ),
        ),
      });
    };
    arm();
    return wrapped;
  };

  const onStop = (id: string): void => {
    const running = subscriptions.get(id);
    subscriptions.delete(id);
    if (running && running !== 'starting') running.stop();
    send({ id, type: 'complete' });
  };

  socket.on('message', (raw, isBinary) => {
    let frame: { type?: unknown; id?: unknown; payload?: unknown };
    try {
      if (isBinary) throw new Error('binary');
      frame = JSON.parse(String(raw)) as typeof frame;
    } catch {
      send({ type: 'error', payload: errorPayload(new RealtimeError('BadRequestException', 'Frames are JSON text.', 400)) });
      return;
    }
    const id = typeof frame.id === 'string' ? frame.id : undefined;
    if (frame.type === 'connection_init') {
      if (!acknowledged && !initializing) {
        initializing = true;
        void onInit().finally(() => (initializing = false));
      }
    } else if (!acknowledged) {
      send({ type: 'error', payload: errorPayload(new RealtimeError('BadRequestException', 'Send connection_init first.', 400)) });
    } else if (frame.type === 'start' && id) {
      void onStart(id, frame.payload);
    } else if (frame.type === 'stop' && id) {
      onStop(id);
    } else {
      send({
        ...(id ? { id } : {}),
        type: 'error',
        payload: errorPayload(new RealtimeError('BadRequestException', `Unknown frame type ${String(frame.type)}.`, 400)),
      });
    }
  });

  return new Promise((resolve) => {
    socket.on('close', () => {
      clearTimeout(initTimer);
      clearInterval(keepAlive);
      stopAll();
      resolve();
    });
    socket.on('error', () => socket.terminate());
  });
}

/** `handleProtocols` for a `ws` server: selects `graphql-ws` when offered (the auth header is the other entry). */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(REALTIME_SUBPROTOCOL) ? REALTIME_SUBPROTOCOL : false;
}
