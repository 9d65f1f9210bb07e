import type { z } from 'zod';
import { ServiceError, type Principal, type Route } from '../../kernel/types.js';

/** Where the identity pool API is served (aws-amplify's `identityPoolEndpoint`, the SDK's `endpoint`). */
export const COGNITO_IDENTITY_PATH = '/cognito-identity/';
const TARGET_PREFIX = 'AWSCognitoIdentityService.';
const SIGNING_SERVICE = 'cognito-identity';

export interface IdentityOperation<I = any> {
  /**
   * False for the calls clients make before they have credentials (GetId, GetCredentialsForIdentity):
   * AWS serves them unsigned. Signed ones are authorized as `cognito-identity:<Operation>`.
   */
  signed: boolean;
  input: z.ZodType<I>;
  handle(input: I, call: { principal: Principal }): Promise<unknown>;
}

/**
 * `POST /cognito-identity/` with `X-Amz-Target: AWSCognitoIdentityService.<Op>` (AWS JSON 1.1). Errors
 * are `{"__type","message"}` with Cognito's names; bad input is InvalidParameterException, as Cognito
 * answers it (ValidationException would be unknown to its clients).
 */
export function createIdentityRoute(operations: Record<string, IdentityOperation>): Route {
  return {
    name: 'cognito-identity',
    errorFormat: 'json',
    match: (req, url) => req.method === 'POST' && (url.pathname === COGNITO_IDENTITY_PATH || url.pathname === COGNITO_IDENTITY_PATH.slice(0, -1)),
    async handle(ctx) {
      const target = String(ctx.req.headers['x-amz-target'] ?? '');
      if (!target.startsWith(TARGET_PREFIX)) {
        throw new ServiceError('UnknownOperationException', `X-Amz-Target must be ${TARGET_PREFIX}<Operation>.`, 400);
      }
      const name = target.slice(TARGET_PREFIX.length);
      const op = Object.hasOwn(operations, name) ? operations[name] : undefined;
      if (!op) throw new ServiceError('UnknownOperationException', `Forte does not support the identity pool operation ${name}.`, 400);
      // An unsigned call is anonymous; a signed one (even of an unsigned operation) must verify.
      const { principal, body } = await ctx.authenticate({ service: SIGNING_SERVICE, readBody: true });
      if (op.signed) {
        if (principal.kind === 'anonymous') {
          throw new ServiceError('MissingAuthenticationTokenException', `${name} must be SigV4-signed (service cognito-identity) with the keys of a Forte profile.`, 403);
        }
        await ctx.authorize(principal, `cognito-identity:${name}`, '*', 'AccessDeniedException');
      }
      let raw: unknown;
      try {
        raw = body && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        throw new ServiceError('SerializationException', 'The request body is not valid JSON.', 400);
      }
      const parsed = op.input.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'request';
        throw new ServiceError('InvalidParameterException', `${where}: ${issue?.message ?? 'invalid'}`, 400);
      }
      const payload = JSON.stringify((await op.handle(parsed.data, { principal })) ?? {});
      ctx.res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(payload),
        'x-amzn-requestid': ctx.requestId,
      });
      ctx.res.end(payload);
    },
  };
}
