import type { Route } from '../../kernel/types.js';
import { cognitoError } from './cognito-error.js';
import type { UserOperation } from './user-operation.js';

export const COGNITO_IDP_PATH = '/cognito-idp/';
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/**
 * `POST /cognito-idp/` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` (JSON 1.1). User
 * operations are unsigned (tokens travel in the body); admin operations need a SigV4 signature for
 * service `cognito-idp` and the IAM-lite action `cognito-idp:<Op>`.
 */
export function createCognitoRoute(options: { userOperations: Record<string, UserOperation>; adminOperations: Record<string, UserOperation> }): Route {
  return {
    name: 'cognito-idp',
    errorFormat: 'json',
    match: (req, url) => req.method === 'POST' && (url.pathname === COGNITO_IDP_PATH || url.pathname === '/cognito-idp'),
    async handle(ctx) {
      const target = String(ctx.req.headers['x-amz-target'] ?? '');
      if (!target.startsWith(TARGET_PREFIX)) throw cognitoError('UnknownOperationException', `X-Amz-Target must start with ${TARGET_PREFIX}`);
      const name = target.slice(TARGET_PREFIX.length);
      const admin = Object.hasOwn(options.adminOperations, name) ? options.adminOperations[name] : undefined;
      const user = Object.hasOwn(options.userOperations, name) ? options.userOperations[name] : undefined;
      if (!admin && !user) throw cognitoError('UnknownOperationException', `Operation ${name} is not supported by Forte.`);
      const { principal, body } = await ctx.authenticate({ service: 'cognito-idp', readBody: true });
      if (admin) {
        if (principal.kind === 'anonymous') throw cognitoError('MissingAuthenticationTokenException', `${name} must be SigV4-signed with the keys of a Forte profile.`, 403);
        await ctx.authorize(principal, `cognito-idp:${name}`, '*', 'AccessDeniedException');
      }
      let input: unknown;
      try {
        input = body && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        throw cognitoError('SerializationException', 'The request body is not valid JSON.');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw cognitoError('SerializationException', 'The request body must be a JSON object.');
      const result = await (admin ?? user)!(input as Record<string, unknown>, ctx);
      const payload = JSON.stringify(result ?? {});
      ctx.res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(payload), date: new Date().toUTCString() });
      ctx.res.end(payload);
    },
  };
}
