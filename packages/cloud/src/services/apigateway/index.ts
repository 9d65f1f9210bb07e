import { createBusDataVersion } from '../../kernel/bus-data-version.js';
import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { FUNCTIONS, OUTPUT_URL_REWRITES } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createApiStore } from './api-store.js';
import { createDeploymentHandler } from './deployment-resource.js';
import { createGatewayResponseHandler } from './gateway-response-resource.js';
import { REST_API_PREFIX, createGatewayRoute } from './gateway-route.js';
import { APIGATEWAY_MIGRATIONS } from './migrations.js';
import { createRestApiHandler } from './rest-api-resource.js';

/** `https://<apiId>.execute-api.<region>.amazonaws.com[/<stage>...]`, the URL Amplify's `RootUrl` output builds by hand. */
const EXECUTE_API_URL = /^https:\/\/([a-z0-9]{10})\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\/.*)?$/;

/**
 * API Gateway (REST APIs, v1): the `AWS::ApiGateway::RestApi` (Swagger 2.0 Body), `Deployment` and
 * `GatewayResponse` resource types as Amplify's REST API stack writes them, and the gateway serving them at
 * `<cloud>/restapis/<apiId>/<stage>/<path>`: Lambda proxy integrations through `FUNCTIONS`, mock
 * integrations, IAM (SigV4) authorization against the caller's role. Stack outputs holding an API's
 * `execute-api` URL are rewritten to that address (`OUTPUT_URL_REWRITES`).
 */
export function createApiGatewayService(kernel: Kernel): Service {
  // Every request looks its API up (`served`), kept until the data version changes: on PostgreSQL that version
  // is this instance's writes to the API tables and, through the bus, the other instances'. Only the store
  // writes them.
  const data = createBusDataVersion(kernel, 'apigateway');
  const store = createApiStore(data.sql);
  // The APIs this cloud serves, for rewriting outputs synchronously; kept by the resource handlers, and by
  // the bus for APIs created or deleted through another instance sharing the database.
  const known = new Set<string>();
  const remember = (apiId: string, exists: boolean): void => void (exists ? known.add(apiId) : known.delete(apiId));
  const readAll = async (): Promise<void> => {
    const ids = await store.apiIds();
    known.clear();
    for (const apiId of ids) known.add(apiId);
  };
  const apisChanged = createCacheInvalidation<{ apiId: string; exists: boolean }>(kernel, 'apigateway-apis', {
    isChange: (value): value is { apiId: string; exists: boolean } =>
      typeof (value as { apiId?: unknown } | null)?.apiId === 'string' && typeof (value as { exists?: unknown }).exists === 'boolean',
    onChange: ({ apiId, exists }) => remember(apiId, exists),
    onLost: readAll,
  });
  return {
    name: 'apigateway',
    requires: [FUNCTIONS],
    provides: [
      provide(OUTPUT_URL_REWRITES, (value) => {
        const match = EXECUTE_API_URL.exec(value);
        if (!match || !known.has(match[1]!)) return undefined;
        return `${kernel.baseUrl()}${REST_API_PREFIX}${match[1]!}${match[2] ?? ''}`;
      }),
    ],
    routes: [createGatewayRoute({ kernel, store, functions: () => kernel.capability(FUNCTIONS) })],
    resourceTypes: {
      'AWS::ApiGateway::RestApi': createRestApiHandler({
        store,
        onChange: (apiId, exists) => {
          remember(apiId, exists);
          apisChanged.changed({ apiId, exists });
        },
      }),
      'AWS::ApiGateway::Deployment': createDeploymentHandler({ store }),
      'AWS::ApiGateway::GatewayResponse': createGatewayResponseHandler({ store }),
    },
    async start() {
      await data.start();
      await data.sql.migrate('apigateway', APIGATEWAY_MIGRATIONS);
      await apisChanged.start();
      await readAll();
    },
    stop() {
      apisChanged.stop();
      data.stop();
      return Promise.resolve();
    },
  };
}
