import { isForteError } from '@forte/protocol';
import { execute, GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { readBody } from '../../kernel/read-body.js';
import { TABLES } from '../../kernel/capabilities.js';
import type { CallerNote, Kernel, RequestContext, Route } from '../../kernel/types.js';
import type { GraphQLLimits } from './graphql-limits.js';
import type { ApiRegistry, DeployedApi } from './api-registry.js';
import { apiKeyOf, principalCaller } from './authenticate-request.js';
import { AppSyncAuthError, authenticateCaller, type Caller } from './caller.js';
import { compiledQuery } from './compiled-query.js';
import { createDocumentCache } from './document-cache.js';
import { withFreshBudget } from './execution-context.js';
import { formatErrors } from './format-errors.js';
import type { ModelEvents } from './model-events.js';
import type { NextTokenCodec } from './next-token.js';
import { checkBodyNesting, checkVariablesNesting, parseWithinLimits, QueryLimitError, validateWithinLimits } from './query-limits.js';
import { APPSYNC_ERRORS } from './appsync-errors.js';
import type { ResolverRequest } from './resolver-identity.js';

const PATH = /^\/graphql\/([a-z0-9]{26})\/?$/;
/** Largest request body read (query, variables and operation name together). */
const MAX_REQUEST_BYTES = 1024 * 1024;

const answer = (ctx: RequestContext, body: unknown, status = 200): void => {
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  ctx.res.end(text);
};

/** A request refused before execution: HTTP 200 with `errors[]` (AppSync answers validation errors so). */
const refuse = (ctx: RequestContext, errorType: string, message: string): void =>
  answer(ctx, { data: null, errors: [{ path: null, data: null, errorType, errorInfo: null, locations: null, message }] });

interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

function parseRequest(text: string): GraphQLRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw APPSYNC_ERRORS.error('MalformedHttpRequestException', 'The request body is not valid JSON.', { cause: error });
  }
  const request = value as { query?: unknown; variables?: unknown; operationName?: unknown } | null;
  if (typeof request !== 'object' || request === null || typeof request.query !== 'string') {
    throw APPSYNC_ERRORS.error('MalformedHttpRequestException', 'The request body must be a JSON object with a "query" string.');
  }
  const variables = request.variables ?? undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw APPSYNC_ERRORS.error('MalformedHttpRequestException', '"variables" must be an object.');
  }
  return {
    query: request.query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
  };
}

function selectOperation(document: DocumentNode, name: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((o) => o.name?.value === name);
}

/** The root fields an operation selects (through fragments), for AppSync's per-field IAM check. */
function rootFields(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const fields = new Set<string>();
  const visit = (selections: OperationDefinitionNode['selectionSet']['selections'], seen: Set<string>): void => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) fields.add(s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet.selections, seen);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
        if (fragment?.kind === Kind.FRAGMENT_DEFINITION) visit(fragment.selectionSet.selections, seen);
      }
    }
  };
  visit(operation.selectionSet.selections, new Set());
  return [...fields];
}

/** The request as `@function` events carry it: every header (Node names them in lower case) and the caller's address. */
/** The request as `@function` resolvers see it, read only when one asks (most requests call no function). */
const resolverRequest = (ctx: RequestContext, kernel: Kernel): ResolverRequest => {
  let headers: Record<string, string> | undefined;
  return {
    get headers() {
      return (headers ??= Object.fromEntries(
        Object.entries(ctx.req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(',') : v]])),
      ));
    },
    get sourceIp() {
      return kernel.clientAddress(ctx.req);
    },
  };
};

const ROOT_TYPE = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/**
 * `POST /graphql/<apiId>`: AppSync's GraphQL over HTTP. The caller is resolved through the API's auth
 * modes (401 UnauthorizedException when none accepts it), IAM callers are checked per root field
 * (`appsync:GraphQL` on `<apiArn>/types/<Type>/fields/<field>`), then the query runs against the plan's
 * resolvers; field errors come back in `errors[]` with HTTP 200, as AppSync answers them.
 */
/** Who the request log names for a GraphQL caller: the token's user, the API key mode, the signature's keys. */
function callerNote(caller: Caller): CallerNote {
  switch (caller.mode) {
    case 'userPools':
      return { kind: 'user-pool', user: caller.username ?? caller.sub };
    case 'oidc':
      return { kind: 'oidc', user: caller.username ?? caller.sub };
    case 'apiKey':
      return { kind: 'api-key' };
    case 'function':
      return { kind: 'lambda-authorizer' };
    case 'iam': {
      const p = caller.principal;
      if (!p || p.kind === 'anonymous') return { kind: 'anonymous' };
      return { kind: p.kind, accessKeyId: p.accessKeyId, user: p.kind === 'role' ? p.identityId : undefined };
    }
  }
}

export function graphqlRoute(deps: {
  kernel: Kernel;
  registry: ApiRegistry;
  events: ModelEvents;
  nextTokens: NextTokenCodec;
  limits: GraphQLLimits;
  clock?: () => number;
}): Route {
  const { kernel, registry, events, nextTokens, limits, clock } = deps;
  const documents = createDocumentCache();
  return {
    name: 'appsync-graphql',
    errorFormat: 'graphql',
    // `path`: the kernel builds no URL when the raw path is already in normal form (the usual case).
    match: { path: (req, pathname) => req.method === 'POST' && PATH.test(pathname) },
    async handle(ctx) {
      // A raw path of this form is its own normal form; any other took the URL's pathname to match.
      const apiId = (PATH.exec(ctx.rawPath) ?? PATH.exec(ctx.url.pathname))![1]!;
      const headers = Object.fromEntries(Object.entries(ctx.req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
      let api = await registry.served(apiId, apiKeyOf(headers));
      if (!api) throw APPSYNC_ERRORS.error('NotFoundException', `No GraphQL API ${apiId} is deployed here (or it has no schema yet).`);
      const body = await readBody(ctx.req, MAX_REQUEST_BYTES);
      // A request without credentials of its own may have been dispatched as a principal (the console's pipe, as
      // the admin): that is an IAM call of the principal. For any other, authenticate() answers anonymous.
      const dispatched =
        headers.authorization === undefined && headers['x-api-key'] === undefined
          ? (await ctx.authenticate({ service: 'appsync', body })).principal
          : undefined;
      const authenticate = async (served: DeployedApi): Promise<Caller> => {
        try {
          const found =
            dispatched && dispatched.kind !== 'anonymous'
              ? principalCaller(served, dispatched)
              : await authenticateCaller(served, headers, { method: 'POST', path: ctx.rawPath, body: body.toString('utf8') }, kernel);
          ctx.noteCaller(callerNote(found));
          return found;
        } catch (error) {
          if (error instanceof AppSyncAuthError) throw APPSYNC_ERRORS.error('UnauthorizedException', error.message, { cause: error });
          throw error;
        }
      };
      let caller = await authenticate(api);
      const text = body.toString('utf8');
      try {
        checkBodyNesting(text, limits);
      } catch (error) {
        if (error instanceof QueryLimitError) return refuse(ctx, 'ValidationError', error.message);
        throw error;
      }
      const request = parseRequest(text);
      let invalid = await run(ctx, api, caller, request);
      if (!invalid) return;
      // The schema held may be older than the one deployed through another instance (its message under
      // way): a document it refuses is checked once more against the stored one, read at most once a second.
      const stored = await registry.recheck(apiId);
      if (stored && stored.schema !== api.schema) {
        api = stored;
        caller = await authenticate(api);
        invalid = await run(ctx, api, caller, request);
        if (!invalid) return;
      }
      answer(ctx, { data: null, errors: formatErrors(invalid, ctx.log) });
    },
  };

  /** Runs the request; when the document does not validate against `api`'s schema, answers nothing and returns the errors. */
  async function run(ctx: RequestContext, api: DeployedApi, caller: Caller, request: GraphQLRequest): Promise<readonly GraphQLError[] | void> {
    let document = documents.get(api.schema, request.query);
    if (!document) {
      try {
        // Size, tokens, nesting, depth and field selections are checked before graphql-js validates.
        document = parseWithinLimits(request.query, limits);
      } catch (error) {
        if (error instanceof QueryLimitError) return refuse(ctx, 'ValidationError', error.message);
        if (!(error instanceof GraphQLError)) throw error;
        return answer(ctx, { data: null, errors: formatErrors([error], ctx.log).map((e) => ({ ...e, errorType: 'MalformedHttpRequestException' })) });
      }
      const invalid = validateWithinLimits(api.schema, document);
      if (invalid.length > 0) return invalid;
      documents.set(api.schema, request.query, document);
    }
    const operation = selectOperation(document, request.operationName);
    if (!operation)
      return refuse(
        ctx,
        'ValidationError',
        request.operationName ? `No operation named ${request.operationName}.` : 'The document has several operations: name one in operationName.',
      );
    if (operation.operation === 'subscription') {
      return refuse(ctx, 'UnsupportedOperation', 'Subscriptions are served over the realtime WebSocket endpoint (<GraphQLUrl>/realtime), not over HTTP.');
    }
    if (caller.mode === 'iam' && caller.principal && caller.principal.kind !== 'admin') {
      const type = ROOT_TYPE[operation.operation];
      for (const field of rootFields(document, operation)) {
        try {
          await ctx.authorize(caller.principal, 'appsync:GraphQL', `${api.arn}/types/${type}/fields/${field}`);
        } catch (error) {
          if (isForteError(error) && error.status === 403)
            throw APPSYNC_ERRORS.error('UnauthorizedException', `Not Authorized to access ${field} on type ${type}`, { cause: error });
          throw error;
        }
      }
    }
    try {
      checkVariablesNesting(request.variables, limits);
    } catch (error) {
      if (error instanceof QueryLimitError) return refuse(ctx, 'ValidationError', error.message);
      throw error;
    }
    const base = {
      apiId: api.apiId,
      caller,
      tables: kernel.capability(TABLES),
      tableNames: api.tables,
      events,
      nextTokens,
      limits,
      ...(clock ? { clock } : {}),
      request: resolverRequest(ctx, kernel),
    };
    let contextValue = withFreshBudget(base);
    // The common read skips graphql-js's general machinery; anything it does not answer as graphql-js would,
    // graphql-js executes, on a budget of its own.
    // Fields a Lambda authorizer denied are refused by the field resolvers, which the compiled path skips.
    const compiled = caller.deniedFields && caller.deniedFields.size > 0 ? undefined : compiledQuery(api.schema, operation);
    let result = compiled && (await compiled.run(contextValue, request.variables));
    if (!result) {
      if (compiled) contextValue = withFreshBudget(base);
      result = await execute({ schema: api.schema, document, variableValues: request.variables, operationName: request.operationName, contextValue });
    }
    // Past a limit, every field still to resolve fails alike: the answer is the one error that names it.
    const exceeded = contextValue.budget.exceeded;
    if (exceeded) return refuse(ctx, exceeded.errorType, exceeded.message);
    const out: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors && result.errors.length > 0) out.errors = formatErrors(result.errors, ctx.log);
    answer(ctx, out);
  }
}
