import { isForteError, type ErrorTable } from '@forte/protocol';
import type { z } from 'zod';
import { JSON_API_ERRORS } from './api-errors.js';
import { jsonDepthOver } from './json-depth.js';
import { decodeContentEncoding, MAX_BUFFERED_BODY } from './read-body.js';
import type { Principal, RequestContext, Route } from './types.js';

/** What an operation's handler gets besides its input. */
export interface JsonCall {
  principal: Principal;
  ctx: RequestContext;
}

interface OperationOptions<I> {
  /**
   * Whether the call must be SigV4-signed (default true) and is then authorized as
   * `<actionPrefix>:<Operation>`. Unsigned operations are those AWS serves to callers without keys (a
   * user pool's sign-in, an identity pool's GetId); a signature they carry anyway must still verify.
   */
  signed?: boolean;
  /**
   * The resources the call acts on (ARNs), each authorized for `<actionPrefix>:<Operation>` once the input is
   * valid, so policies can name them; without it the call is authorized on `*` before the body is parsed.
   */
  resources?: (input: I) => string[];
}

/** An operation whose input a zod schema validates: the handler gets the schema's output type. */
export interface SchemaOperationOptions<S extends z.ZodType> extends OperationOptions<z.output<S>> {
  /** Validates and normalises the input; a failure answers the route's validation error naming the field. */
  input: S;
  handler: (input: z.output<S>, call: JsonCall) => Promise<unknown>;
}

/**
 * An operation that validates its own input, for hot paths where a schema costs too much (DynamoDB's item
 * calls) or where the protocol's checks and messages are the AWS service's own. The handler gets the
 * request's JSON object as it was sent.
 */
export interface RawOperationOptions extends OperationOptions<Record<string, unknown>> {
  raw: true;
  handler: (input: Record<string, unknown>, call: JsonCall) => Promise<unknown>;
}

/** One operation of a `jsonApiRoute`, made by `defineOperation`. */
export interface JsonOperation {
  readonly signed: boolean;
  readonly input: z.ZodType | undefined;
  readonly resources: ((input: never) => string[]) | undefined;
  readonly handler: (input: never, call: JsonCall) => Promise<unknown>;
}

/**
 * Declares an operation of an AWS JSON API: `defineOperation({ input: schema, signed, resources, handler })`,
 * the handler's input typed by the schema, or `defineOperation({ raw: true, signed, handler })` for a handler
 * that checks the JSON object itself.
 */
export function defineOperation<S extends z.ZodType>(options: SchemaOperationOptions<S>): JsonOperation;
export function defineOperation(options: RawOperationOptions): JsonOperation;
export function defineOperation(options: SchemaOperationOptions<z.ZodType> | RawOperationOptions): JsonOperation {
  return {
    signed: options.signed ?? true,
    input: 'raw' in options ? undefined : options.input,
    resources: options.resources,
    handler: options.handler,
  };
}

/**
 * A route for an AWS JSON API (1.1 by default, 1.0 for DynamoDB): `POST <path>` (with or without its trailing
 * slash) with `X-Amz-Target: <prefix><Operation>`, SigV4 for `signingService`, errors `{"__type","message"}`.
 */
export function jsonApiRoute<C extends string>(options: {
  name: string;
  path: string;
  targetPrefix: string;
  signingService: string;
  actionPrefix: string;
  operations: Record<string, JsonOperation>;
  /** The API's error table, and its code for invalid input (ValidationException; Cognito's clients know InvalidParameterException). */
  errors: ErrorTable<C>;
  validationErrorCode: NoInfer<C>;
  /** `1.0` answers `application/x-amz-json-1.0` (DynamoDB); default `1.1`. */
  jsonVersion?: '1.0' | '1.1';
  /** Prepended to the code in `__type` of client errors: DynamoDB answers `com.amazonaws.dynamodb.v20120810#<Code>`. */
  errorTypePrefix?: string;
  /** `same-origin` for the cloud's admin APIs, which no app calls from a browser (Route.browserAccess). */
  browserAccess?: 'any' | 'same-origin';
  /**
   * The SDK's name for this API in `AWS_ENDPOINT_URL_<name>` (from its client's serviceId: `DYNAMODB_STREAMS`),
   * where the signing service alone does not tell it (JsonApiDescription.sdkEndpointName).
   */
  sdkEndpointName?: string;
  /**
   * Another API's paths where this one answers too, for requests whose X-Amz-Target has this API's prefix
   * (DynamoDB Streams at DynamoDB's endpoint, as DynamoDB Local serves it). The first matching route wins, so
   * this route must be listed before the other API's.
   */
  sharedPaths?: string[];
  /**
   * Requests a client signed for the API's AWS host and sent here at `<prefix><AWS host>/` (what @forte/amplify
   * does with aws-amplify's calls that take no endpoint, as it does for S3's `/s3-aws/`): the signature is verified
   * against that host and the path `/`. `hosts` are the AWS hosts accepted (`kinesis.<region>.amazonaws.com`).
   */
  awsHostPath?: { prefix: string; hosts: RegExp };
}): Route {
  const paths = new Set([options.path, options.path.replace(/\/$/, '')]);
  /** The AWS host a request names in its path under `awsHostPath.prefix`, if it does. */
  const awsHostOf = (pathname: string): string | undefined => {
    const aws = options.awsHostPath;
    if (!aws || !pathname.startsWith(aws.prefix)) return undefined;
    const host = pathname.slice(aws.prefix.length).replace(/\/$/, '');
    return aws.hosts.test(host) ? host : undefined;
  };
  const shared = new Set((options.sharedPaths ?? []).flatMap((p) => [p, p.replace(/\/$/, '')]));
  const hasPrefix = (req: { headers: Record<string, string | string[] | undefined> }): boolean =>
    String(req.headers['x-amz-target'] ?? '').startsWith(options.targetPrefix);
  const contentType = `application/x-amz-json-${options.jsonVersion ?? '1.1'}`;
  return {
    name: options.name,
    errorFormat: 'json',
    writesApiHeaders: true,
    ...(options.browserAccess ? { browserAccess: options.browserAccess } : {}),
    match: {
      path: (req, pathname) => req.method === 'POST' && (paths.has(pathname) || (shared.has(pathname) && hasPrefix(req)) || awsHostOf(pathname) !== undefined),
    },
    jsonApi: {
      path: options.path,
      ...(options.sdkEndpointName ? { sdkEndpointName: options.sdkEndpointName } : {}),
      targetPrefix: options.targetPrefix,
      signingService: options.signingService,
      jsonVersion: options.jsonVersion ?? '1.1',
      operations: Object.keys(options.operations),
    },
    async handle(ctx) {
      try {
        await handleCall(ctx);
      } catch (error) {
        // Client errors are answered here, in this API's own shape; the rest goes to the kernel (logged, masked).
        if (!isForteError(error) || error.status >= 500 || ctx.res.headersSent) throw error;
        const payload = JSON.stringify({ __type: `${options.errorTypePrefix ?? ''}${error.code}`, message: error.message, ...error.fields });
        const headers = Object.assign(ctx.apiHeaders(), error.headers);
        headers['content-type'] = contentType;
        headers['content-length'] = String(Buffer.byteLength(payload));
        headers['x-amzn-errortype'] = error.code;
        ctx.res.writeHead(error.status, headers);
        ctx.res.end(payload);
      }
    },
  };

  async function handleCall(ctx: RequestContext): Promise<void> {
    const target = String(ctx.req.headers['x-amz-target'] ?? '');
    if (!target.startsWith(options.targetPrefix)) {
      throw JSON_API_ERRORS.error('UnknownOperationException', `X-Amz-Target must start with ${options.targetPrefix}`);
    }
    const name = target.slice(options.targetPrefix.length);
    const op = Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
    // The signature is checked first, so a caller with wrong keys learns nothing about the operations.
    const awsHost = awsHostOf(ctx.rawPath);
    const { principal, body: sent } = await ctx.authenticate({
      service: options.signingService,
      readBody: true,
      ...(awsHost !== undefined ? { signedFor: { host: awsHost, rawPath: '/' } } : {}),
    });
    if (!op) throw JSON_API_ERRORS.error('UnknownOperationException', `Forte does not support the operation ${name}.`);
    // An unsigned call (Cognito's sign-up and sign-in, an identity's id) is anybody's: its body is held to what those
    // operations need, so that no stranger has the cloud parse megabytes.
    const limit = principal.kind === 'anonymous' ? MAX_UNSIGNED_BODY : MAX_BUFFERED_BODY;
    if (sent && sent.length > limit) throw unsignedTooLarge();
    const encoding = ctx.req.headers['content-encoding'];
    const body = encoding === undefined ? sent : await decodeContentEncoding(sent, encoding, limit);
    if (op.signed) {
      if (principal.kind === 'anonymous') {
        throw JSON_API_ERRORS.error(
          'MissingAuthenticationTokenException',
          `${name} must be SigV4-signed (service ${options.signingService}) with the keys of a Forte profile.`,
        );
      }
      if (!op.resources) await ctx.authorize(principal, `${options.actionPrefix}:${name}`, '*', 'AccessDeniedException');
    }
    let raw: unknown;
    const text = body && body.length > 0 ? body.toString('utf8') : '';
    if (jsonDepthOver(text, MAX_JSON_DEPTH))
      throw options.errors.error(
        options.validationErrorCode,
        `Nesting Levels have exceeded supported limits: the request body nests more than ${MAX_JSON_DEPTH} levels of arrays and objects.`,
      );
    try {
      raw = text.length > 0 ? JSON.parse(text) : {};
    } catch (error) {
      throw JSON_API_ERRORS.error('SerializationException', 'The request body is not valid JSON.', { cause: error });
    }
    // Every operation of an AWS JSON protocol takes an object.
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw options.errors.error(options.validationErrorCode, 'request: the body must be a JSON object.');
    let input: unknown = raw;
    if (op.input) {
      const parsed = op.input.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'request';
        throw options.errors.error(options.validationErrorCode, `${where}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
      }
      input = parsed.data;
    }
    // `input` is what the operation declared: its schema's output, or for a raw operation the JSON object.
    if (op.signed && op.resources) {
      for (const resource of new Set(op.resources(input as never)))
        await ctx.authorize(principal, `${options.actionPrefix}:${name}`, resource, 'AccessDeniedException');
    }
    const result = await op.handler(input as never, { principal, ctx });
    const payload = JSON.stringify(result ?? {});
    // One header call: the API headers (request ids, CORS) are this route's to write (`writesApiHeaders`).
    const headers = ctx.apiHeaders();
    headers['content-type'] = contentType;
    headers['content-length'] = String(Buffer.byteLength(payload));
    ctx.res.writeHead(200, headers);
    ctx.res.end(payload);
  }
}

/** Largest body of an unsigned call, decoded. */
const MAX_UNSIGNED_BODY = 256 * 1024;
/**
 * Deepest nesting of arrays and objects in a body: DynamoDB's 32 levels of attribute values take some 70. Parsing
 * nesting costs far more than its bytes (2 MB of `[[[…` took 0.6 s and 61 MB of heap).
 */
const MAX_JSON_DEPTH = 128;

function unsignedTooLarge(): Error {
  return JSON_API_ERRORS.error('RequestEntityTooLargeException', `An unsigned request body is at most ${MAX_UNSIGNED_BODY} bytes: send a smaller body.`, {
    headers: { connection: 'close' },
  });
}
