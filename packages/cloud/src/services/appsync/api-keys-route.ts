import { JSON_API_ERRORS } from '../../kernel/api-errors.js';
import type { Kernel, Route } from '../../kernel/types.js';
import { apiArn } from './api-resource.js';
import { APPSYNC_ERRORS } from './appsync-errors.js';
import type { AppSyncStore } from './appsync-store.js';

const PATH = /^\/v1\/apis\/([a-z0-9]{26})\/apikeys\/?$/;
/** AppSync deletes an expired key 60 days after it expires. */
const DELETE_AFTER_SECONDS = 60 * 24 * 60 * 60;

/**
 * AppSync's ListApiKeys (`GET /v1/apis/{apiId}/apikeys`, REST-JSON, SigV4 service `appsync`, authorized as
 * `appsync:ListApiKeys` on the API's ARN), as `@aws-sdk/client-appsync` sends it: every key of the API, one page
 * (an API has a handful). The console's GraphQL page reads it through the pipe to call the API with a key.
 */
export function apiKeysRoute(kernel: Kernel, store: AppSyncStore): Route {
  return {
    name: 'appsync-api-keys',
    errorFormat: 'json',
    match: { path: (req, pathname) => req.method === 'GET' && PATH.test(pathname) },
    async handle(ctx) {
      const apiId = PATH.exec(ctx.url.pathname)![1]!;
      const { principal } = await ctx.authenticate({ service: 'appsync' });
      if (principal.kind === 'anonymous')
        throw JSON_API_ERRORS.error(
          'MissingAuthenticationTokenException',
          'ListApiKeys must be SigV4-signed (service appsync) with the keys of a Forte profile or role.',
        );
      await ctx.authorize(principal, 'appsync:ListApiKeys', apiArn(kernel, apiId), 'AccessDeniedException');
      if (!(await store.apiById(apiId))) throw APPSYNC_ERRORS.error('NotFoundException', `GraphQL API ${apiId} not found.`);
      const apiKeys = (await store.keysOfApi(apiId))
        .sort((a, b) => a.expiresAt - b.expiresAt)
        .map((key) => ({
          id: key.apiKey,
          ...(key.description === undefined ? {} : { description: key.description }),
          expires: key.expiresAt,
          deletes: key.expiresAt + DELETE_AFTER_SECONDS,
        }));
      const body = JSON.stringify({ apiKeys });
      ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      ctx.res.end(body);
    },
  };
}
