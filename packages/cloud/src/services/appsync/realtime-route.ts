import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isForteError } from '@forte/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Kernel, Principal, UpgradeRoute } from '../../kernel/types.js';
import type { GraphQLLimits } from './graphql-limits.js';
import type { ApiRegistry, DeployedApi } from './api-registry.js';
import { apiKeyOf } from './authenticate-request.js';
import { AppSyncAuthError, authenticateCaller, type Caller } from './caller.js';
import type { ExecutionContext } from './execution-context.js';
import type { ModelEvents } from './model-events.js';
import { RealtimeError, selectSubprotocol, serveRealtimeConnection, type RealtimeHooks } from './realtime-protocol.js';
import { readSubscriptionDocument } from './subscription-document.js';
import { startSubscription } from './subscription-start.js';

/** What the realtime endpoint needs from the AppSync service. */
export interface RealtimeRouteDeps {
  kernel: Kernel;
  apis: ApiRegistry;
  /** Where the service's mutations publish their changes. */
  events: ModelEvents;
  /** The context value the API's resolvers expect for `caller` (the one an HTTP request gets). */
  contextFor(api: DeployedApi, caller: Caller): ExecutionContext;
  /** The service's GraphQL limits (subscriptions per connection, what each event's render may do). */
  limits: GraphQLLimits;
}

/** `/graphql/<apiId>/realtime`: the URL aws-amplify derives from the HTTP endpoint `/graphql/<apiId>`. */
const REALTIME_PATH = /^(\/graphql\/([^/]+))\/realtime\/?$/;
/** Most bytes in one frame: a start carries a query (at most 100 KB over HTTP too) and its auth headers. */
const MAX_FRAME_BYTES = 1024 * 1024;
/** How long open connections get to answer a close frame when the cloud shuts down. */
const CLOSE_GRACE_MS = 1000;

const toRealtimeError = (error: unknown): unknown =>
  error instanceof AppSyncAuthError ? new RealtimeError(error.errorType, error.message, error.status) : error;

/** IAM callers also need `appsync:GraphQL` on the field, as over HTTP (the roles' policies decide). */
async function authorizeIam(kernel: Kernel, principal: Principal, api: DeployedApi, field: string): Promise<void> {
  try {
    await kernel.authorize(principal, 'appsync:GraphQL', `${api.arn}/types/Subscription/fields/${field}`);
  } catch (error) {
    if (isForteError(error) && error.status === 403)
      throw new RealtimeError('UnauthorizedException', `Not Authorized to access ${field} on type Subscription`, 401);
    throw error;
  }
}

/**
 * The realtime endpoint of every GraphQL API: AppSync's WebSocket protocol, the connection authorised from
 * its header (signed as `POST <endpoint path>/connect` with body `{}` for IAM), each `start` from its own
 * `extensions.authorization` (signed as `POST <endpoint path>` with the start's `data` for IAM).
 * Register it as the service's `upgrades` entry.
 */
export function createRealtimeRoute(deps: RealtimeRouteDeps): UpgradeRoute {
  const { kernel, apis, events, limits } = deps;
  const wss = new WebSocketServer({ noServer: true, handleProtocols: selectSubprotocol, maxPayload: MAX_FRAME_BYTES });

  const hooksFor = (apiId: string, endpointPath: string): RealtimeHooks => {
    // Read again for each connection and start: the API may have changed (a key deleted) since the upgrade.
    const served = async (headers: Record<string, string>): Promise<DeployedApi> => {
      const api = await apis.served(apiId, apiKeyOf(headers));
      if (!api) throw new RealtimeError('NotFoundException', `GraphQL API ${apiId} is not found.`, 404);
      return api;
    };
    const authenticate = async (api: DeployedApi, headers: Record<string, string>, path: string, body: string): Promise<Caller> => {
      try {
        return await authenticateCaller(api, headers, { method: 'POST', path, body }, kernel);
      } catch (error) {
        throw toRealtimeError(error);
      }
    };
    return {
      async authorizeConnection(header) {
        await authenticate(await served(header), header, `${endpointPath}/connect`, '{}');
      },
      async start(request, send) {
        const api = await served(request.authorization);
        const caller = await authenticate(api, request.authorization, endpointPath, request.data);
        const subscription = readSubscriptionDocument(api.schema, request, limits);
        if (caller.mode === 'iam' && caller.principal) await authorizeIam(kernel, caller.principal, api, subscription.fieldName);
        // Nested fields of the selection set (relations) run through the API's resolvers, as over HTTP.
        const contextValue = deps.contextFor(api, caller);
        const running = startSubscription({ api, caller, subscription, events, send, contextValue, log: kernel.log });
        kernel.log.debug('subscription started', { apiId, field: subscription.fieldName, mode: caller.mode });
        return running;
      },
    };
  };

  return {
    name: 'appsync-realtime',
    match: (req, url) => req.method === 'GET' && REALTIME_PATH.test(url.pathname),
    async handle(req: IncomingMessage, socket: Duplex, head: Buffer, upgrade: { authenticated(): void }) {
      const [, endpointPath = '', apiId = ''] = REALTIME_PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname) ?? [];
      if (!(await apis.find(apiId))) {
        const body = JSON.stringify({ errors: [{ errorType: 'NotFoundException', message: `GraphQL API ${apiId} is not found.` }] });
        socket.end(
          `HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          () => socket.destroy(),
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        void serveRealtimeConnection(ws, req, hooksFor(apiId, endpointPath), {
          onUnexpected: (error) => kernel.log.error('unexpected error', { route: 'appsync-realtime', apiId, error }),
          onAuthenticated: upgrade.authenticated,
          initTimeoutMs: kernel.config.connectionLimits.realtimeInitTimeoutMs,
          maxSubscriptions: limits.maxSubscriptionsPerConnection,
        });
      });
    },
    async close() {
      const open = [...wss.clients];
      await Promise.race([
        Promise.all(
          open.map(
            (ws) =>
              new Promise<void>((resolve) => {
                ws.once('close', () => resolve());
                ws.close(1001, 'The server is shutting down.');
              }),
          ),
        ),
        new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
      ]);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
