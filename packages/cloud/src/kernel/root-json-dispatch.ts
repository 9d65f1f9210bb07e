import type { IncomingMessage } from 'node:http';
import { JSON_API_ERRORS } from './api-errors.js';
import type { Route } from './types.js';

/**
 * SDK clients given only the cloud's base URL (`AWS_ENDPOINT_URL`, as functions get it) send every AWS
 * JSON-protocol call to `POST /` with `X-Amz-Target: <prefix><Operation>`. This finds the JSON API route
 * whose `jsonApi.targetPrefix` is the target's prefix (everything up to its last dot), from the routes'
 * own descriptions, so an API added later is reached at `/` without being listed anywhere. The route then
 * answers as at its own path: same signing service, same authorization, same browser access.
 *
 * A POST to `/` with a target no route serves gets a route that answers UnknownOperationException; any
 * other request gets undefined (the kernel's usual 404). Only consulted when no route matched the request.
 */
export function createRootJsonDispatch(routes: readonly Route[]): (req: IncomingMessage, rawPath: string) => Route | undefined {
  let byPrefix: Map<string, Route> | undefined;
  return (req, rawPath) => {
    // The path exactly as sent: `//x/` parses to the path `/` but is not the root.
    if (req.method !== 'POST' || rawPath !== '/') return undefined;
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string') return undefined;
    // Built at the first call: every service has registered its routes by then. The first route of a prefix wins.
    byPrefix ??= new Map([...routes].reverse().flatMap((route) => (route.jsonApi ? [[route.jsonApi.targetPrefix, route] as const] : [])));
    return byPrefix.get(target.slice(0, target.lastIndexOf('.') + 1)) ?? UNKNOWN_TARGET;
  };
}

/** Answers a JSON call at `/` whose X-Amz-Target names no API of this cloud. */
const UNKNOWN_TARGET: Route = {
  name: 'root',
  errorFormat: 'json',
  match: { path: () => false },
  handle(ctx) {
    const target = String(ctx.req.headers['x-amz-target']).slice(0, 256);
    return Promise.reject(
      JSON_API_ERRORS.error(
        'UnknownOperationException',
        `No API of this cloud answers X-Amz-Target ${JSON.stringify(target)}: check the target, or the client's endpoint URL.`,
      ),
    );
  },
};
