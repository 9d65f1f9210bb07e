/** The slice of the WebSocket constructor aws-amplify uses: `new WebSocket(url, protocols)`. */
export type WebSocketConstructor = new (url: string | URL, protocols?: string | string[]) => object;

const ORIGINAL = Symbol.for('forte.amplify.originalWebSocket');
type Marked = WebSocketConstructor & { [ORIGINAL]?: WebSocketConstructor };

/**
 * aws-amplify opens its realtime sockets as `wss://` whatever the endpoint says. Against a plain-http cloud
 * they must be `ws://`: this subclass rewrites `wss://<cloud host>` (only that host) to `ws://`.
 */
export function rewritingWebSocket(base: WebSocketConstructor, cloudHost: string): WebSocketConstructor {
  const Rewriting = class extends base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(rewriteUrl(String(url), cloudHost), protocols);
    }
  } as Marked;
  Rewriting[ORIGINAL] = base;
  return Rewriting;
}

export function rewriteUrl(url: string, cloudHost: string): string {
  const prefix = `wss://${cloudHost}`;
  return url.startsWith(prefix) && /^[/?:]?$/.test(url.charAt(prefix.length)) ? `ws://${url.slice('wss://'.length)}` : url;
}

/**
 * Makes `globalThis.WebSocket` fit the cloud: in Node without a global WebSocket (Node 20) the `ws`
 * package provides one (loaded only then, so browser bundles never need it); for a plain-http cloud it is
 * wrapped to rewrite wss → ws. Calling it again replaces the earlier wrapper instead of stacking another.
 */
export async function installWebSocket(endpoint: string): Promise<void> {
  const g = globalThis as { WebSocket?: Marked };
  let base = g.WebSocket?.[ORIGINAL] ?? g.WebSocket;
  if (!base) {
    const ws = await import('ws');
    base = ws.WebSocket as unknown as WebSocketConstructor;
  }
  const url = new URL(endpoint);
  g.WebSocket = url.protocol === 'http:' ? rewritingWebSocket(base, url.host) : base;
}
