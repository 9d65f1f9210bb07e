import { DYNAMODB_API_PATH, DYNAMODB_RESOURCE_TYPES } from '@forte/protocol';
import { jsonApiRoute } from '../../kernel/json-api.js';
import { DYNAMODB_ERRORS } from './errors.js';
import { TABLES } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createDynamoDbOperations } from './api-operations.js';
import { DYNAMODB_MIGRATIONS } from './migrations.js';
import { createProgrammaticEngine } from './programmatic-engine.js';
import { createTableAdmin } from './table-admin.js';
import { createTableEngine } from './table-engine.js';
import { createTableResourceHandler } from './table-resource.js';
import { createTableStore } from './table-store.js';

/** The API's path without its trailing slash: `GET` there answers DynamoDB's health check. */
const HEALTH_PATH = DYNAMODB_API_PATH.replace(/\/$/, '');

/**
 * DynamoDB-compatible tables kept in the SQL store: the DynamoDB JSON 1.0 API at `POST /dynamodb/`
 * (`DynamoDB_20120810.*`, SigV4 service `dynamodb`, authorized per table ARN), the `Forte::DynamoDB::Table`
 * resource type, and the table engine for other services (`TABLES`) (AppSync).
 */
export function createDynamoDbService(kernel: Kernel): Service {
  const store = createTableStore(kernel.sql);
  const items = createTableEngine(kernel.sql, store);
  const admin = createTableAdmin(kernel.sql, store, () => `arn:aws:dynamodb:${kernel.config.region}:${kernel.config.accountId}:`);
  return {
    name: 'dynamodb',
    provides: [provide(TABLES, createProgrammaticEngine(items))],
    routes: [
      jsonApiRoute({
        name: 'dynamodb',
        path: DYNAMODB_API_PATH,
        targetPrefix: 'DynamoDB_20120810.',
        signingService: 'dynamodb',
        actionPrefix: 'dynamodb',
        operations: createDynamoDbOperations({ items, admin }),
        errors: DYNAMODB_ERRORS,
        validationErrorCode: 'ValidationException',
        jsonVersion: '1.0',
        errorTypePrefix: 'com.amazonaws.dynamodb.v20120810#',
      }),
      // DynamoDB answers `GET /` with `healthy: <host>` (load balancers and some clients probe it).
      {
        name: 'dynamodb-health',
        errorFormat: 'json',
        match: { path: (req, pathname) => (req.method === 'GET' || req.method === 'HEAD') && (pathname === HEALTH_PATH || pathname === DYNAMODB_API_PATH) },
        handle: async (ctx) => {
          const body = `healthy: ${String(ctx.req.headers.host ?? '')}${HEALTH_PATH}`;
          ctx.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) });
          ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
        },
      },
    ],
    resourceTypes: { [DYNAMODB_RESOURCE_TYPES.table]: createTableResourceHandler(admin) },
    start: () => kernel.sql.migrate('dynamodb', DYNAMODB_MIGRATIONS),
  };
}
