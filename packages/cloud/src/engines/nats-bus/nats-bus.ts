import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { busMessageText, BUS_SUBJECT, type Bus, type BusMessage, type BusUnsubscribe } from '../types.js';

/** A bus URL that cannot be used: the message names the problem and the fix. */
export class BusConfigError extends Error {
  override readonly name = 'BusConfigError';
}

/** The URL with its password (or token) replaced, fit for logs and messages. */
export function redactBusUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    else if (parsed.username) parsed.username = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * The bus of a cluster, on core NATS (`nats://host:4222`, several servers separated by commas; user and
 * password or a token in the URL). Core NATS delivers at most once: what is published while this
 * instance is cut off from the server may be lost (what it publishes meanwhile is buffered and sent on
 * reconnecting), and each reconnection is announced to `onResume` listeners. The connection retries for
 * ever once made; the first one must succeed, or the cloud does not start.
 */
export async function createNatsBus(options: {
  url: string;
  name?: string;
  /**
   * Put before every subject on the wire (`<prefix>.<subject>`), so clusters sharing one NATS server do not
   * hear each other: the cloud passes one made from its database's cluster id.
   */
  prefix?: string;
  onError?: (error: unknown, subject: string) => void;
}): Promise<Bus> {
  if (options.prefix !== undefined && !BUS_SUBJECT.test(options.prefix))
    throw new Error(`bus prefix ${JSON.stringify(options.prefix)} is not dot-separated tokens`);
  const wire = (subject: string): string => (options.prefix === undefined ? subject : `${options.prefix}.${subject}`);
  const servers = options.url.split(',').map((s) => s.trim());
  let user: string | undefined;
  let pass: string | undefined;
  let token: string | undefined;
  const plain: string[] = [];
  for (const server of servers) {
    let parsed: URL;
    try {
      parsed = new URL(server);
    } catch {
      throw new BusConfigError(`The bus URL "${redactBusUrl(server)}" is not a URL. Give one like nats://127.0.0.1:4222.`);
    }
    if (parsed.protocol !== 'nats:' && parsed.protocol !== 'tls:')
      throw new BusConfigError(`The bus URL must start with nats:// or tls:// (got ${parsed.protocol}//). Give one like nats://127.0.0.1:4222.`);
    if (!parsed.hostname) throw new BusConfigError('The bus URL names no host. Give one like nats://127.0.0.1:4222.');
    if (parsed.username && parsed.password) {
      user = decodeURIComponent(parsed.username);
      pass = decodeURIComponent(parsed.password);
    } else if (parsed.username) token = decodeURIComponent(parsed.username);
    plain.push(`${parsed.protocol === 'tls:' ? 'tls' : 'nats'}://${parsed.host}`);
  }
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: plain,
      ...(user !== undefined ? { user, pass } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      maxReconnectAttempts: -1,
      timeout: 5000,
      ...(servers.some((s) => s.startsWith('tls:')) ? { tls: {} } : {}),
    });
  } catch (error) {
    throw new BusConfigError(
      `Cannot reach the bus at ${redactBusUrl(options.url)}: ${(error as Error).message}. Check that the NATS server runs and the URL is right.`,
      { cause: error },
    );
  }

  const resumeListeners = new Set<() => void>();
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== 'reconnect') continue;
      for (const listener of [...resumeListeners]) {
        try {
          listener();
        } catch (error) {
          options.onError?.(error, '(resume)');
        }
      }
    }
  })();

  const subscriptions = new Set<Subscription>();
  let closed = false;
  return {
    shared: true,
    publish(subject, message) {
      if (closed) throw new Error('the bus is closed');
      nc.publish(wire(subject), busMessageText(subject, message));
    },
    async subscribe(subject, handler): Promise<BusUnsubscribe> {
      if (closed) throw new Error('the bus is closed');
      if (!BUS_SUBJECT.test(subject)) throw new Error(`bus subject ${JSON.stringify(subject)} is not dot-separated tokens`);
      const subscription = nc.subscribe(wire(subject), {
        callback: (error, msg) => {
          if (error) {
            options.onError?.(error, subject);
            return;
          }
          try {
            handler(JSON.parse(msg.string()) as BusMessage);
          } catch (failure) {
            options.onError?.(failure, subject);
          }
        },
      });
      subscriptions.add(subscription);
      // A round trip to the server: once it answers, it has the subscription, and routes to it what any
      // instance publishes from now on.
      await nc.flush();
      return () => {
        if (!subscriptions.delete(subscription)) return;
        subscription.unsubscribe();
      };
    },
    onResume(listener) {
      resumeListeners.add(listener);
      return () => resumeListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      resumeListeners.clear();
      // Sends what is buffered and delivers what arrived, then closes.
      await nc.drain().catch(() => nc.close());
    },
  };
}
