import type { GraphQLAuthProvider, GraphQLPlanExternalField, GraphQLPlanModel } from '@forte/protocol';
import type { GraphQLFieldResolver } from 'graphql';
import { fetchOutbound, OutboundFetchError, type OutboundResponse } from '../../kernel/outbound-fetch.js';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError, notAuthorized } from './field-error.js';
import { mayCall } from './function-resolver.js';
import { XmlError, xmlToJson } from './xml-to-json.js';

type Args = Record<string, unknown>;

/** Where `@http` fields may call and how long they may wait: config.json's `appsync.http`. */
export interface HttpResolverSettings {
  /** How long one call may take, headers and body, in milliseconds. */
  timeoutMs: number;
  /** Largest response body read; a larger one fails the field. */
  maxResponseBytes: number;
  /** Hosts not named in `allowHosts` or `denyHosts`: called (`allow`) or refused (`deny`). */
  default: 'allow' | 'deny';
  /** Host names (or `*.example.com` for every subdomain) that may always be called, unless denied. */
  allowHosts: string[];
  /** Host names (or `*.example.com`) that are never called; wins over `allowHosts`. */
  denyHosts: string[];
}

export const DEFAULT_HTTP_RESOLVER_SETTINGS: HttpResolverSettings = {
  timeoutMs: 10_000,
  maxResponseBytes: 5 * 1024 * 1024,
  default: 'allow',
  allowHosts: [],
  denyHosts: [],
};

/** What `@http` fields of one API need: `${env}` and `${aws_region}` values and the outbound settings. */
export interface HttpAccess {
  env: string;
  region: string;
  settings: HttpResolverSettings;
}

/** Headers AppSync's `$utils.http.copyHeaders` leaves out (hop-by-hop and the ones the connection sets). */
const RESTRICTED_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'expect',
  'keep-alive',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
]);

const hostMatches = (host: string, pattern: string): boolean => {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
};

/** Whether the settings let `@http` fields call `host`. */
export function hostAllowed(settings: HttpResolverSettings, host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (settings.denyHosts.some((p) => hostMatches(h, p))) return false;
  if (settings.allowHosts.some((p) => hostMatches(h, p))) return true;
  return settings.default === 'allow';
}

/** `${env}` and `${aws_region}` as Amplify's transformer substitutes them (CloudFormation's Fn::Sub). */
const substitute = (value: string, access: HttpAccess): string => value.replaceAll('${env}', access.env).replaceAll('${aws_region}', access.region);

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== false;

/**
 * The resolver of an `@http` field, as Amplify's transformer wires its HTTP data source: `:name` segments
 * of the URL from `params`, `query` as the query string (not for DELETE), `body` as JSON (POST, PUT,
 * PATCH; a non-null argument of the field must be in `query` or `body`), the client's headers (less the
 * hop-by-hop ones) with `accept-encoding: application/json`, `Content-Type: application/json` for a body
 * and the directive's headers. 200 (and 201 with a body) answers the body as JSON (XML converted as
 * `$utils.xml.toJsonString` does); any other status is
 * the field's error, `errorType` the status and `message` the body. Calls are bounded by
 * `settings.timeoutMs` and `maxResponseBytes`, never follow redirects, and go only to allowed hosts.
 */
export function httpResolver(input: {
  field: GraphQLPlanExternalField;
  model: GraphQLPlanModel | undefined;
  defaultMode: GraphQLAuthProvider;
  access: HttpAccess;
}): GraphQLFieldResolver<unknown, ExecutionContext, Args> {
  const { field, model, defaultMode, access } = input;
  const http = field.http!;
  const method = http.method.toUpperCase();
  const supportsBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const url = substitute(http.url, access);
  const headersOfDirective = (http.headers ?? []).map((h) => [h.key, substitute(h.value, access)] as const);
  const where = `${field.typeName}.${field.fieldName}`;
  return async (source, args, ctx) => {
    if (!mayCall(ctx.caller, field, model, defaultMode, source)) throw notAuthorized(field.fieldName, field.typeName);
    const params = (args.params ?? {}) as Args;
    const query = (args.query ?? undefined) as Args | undefined;
    const body = (args.body ?? undefined) as Args | undefined;
    if (supportsBody) {
      for (const name of http.nonNullArgs ?? []) {
        if (!present(body?.[name]) && !present(query?.[name]))
          throw new AppSyncFieldError('Unknown', 'An argument you marked as Non-Null is not present in the query nor the body of your request.');
      }
    }
    const target = new URL(
      url.replace(/:(\w+)/g, (whole, name: string, offset: number) => {
        // Only `:name` in the path is a parameter (not the scheme's or a port's colon).
        const pathStart = url.indexOf('/', url.indexOf('//') + 2);
        return pathStart >= 0 && offset > pathStart ? encodeURIComponent(String(params[name] ?? '')) : whole;
      }),
    );
    if (!hostAllowed(access.settings, target.hostname)) {
      throw new AppSyncFieldError(
        'HttpRequestDenied',
        `${where} calls ${target.origin}, which this cloud's settings refuse (config.json appsync.http: default, allowHosts, denyHosts).`,
      );
    }
    if (method !== 'DELETE' && query) {
      for (const [key, value] of Object.entries(query)) {
        if (value === null || value === undefined) continue;
        target.searchParams.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
      }
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.request?.headers ?? {})) if (!RESTRICTED_HEADERS.has(name.toLowerCase())) headers.set(name, value);
    headers.set('accept-encoding', 'application/json');
    if (supportsBody) headers.set('Content-Type', 'application/json');
    for (const [key, value] of headersOfDirective) headers.set(key, value);

    const { timeoutMs, maxResponseBytes } = access.settings;
    let answer: OutboundResponse;
    try {
      answer = await fetchOutbound(target, {
        method,
        headers,
        ...(supportsBody ? { body: JSON.stringify(body ?? null) } : {}),
        timeoutMs,
        maxBytes: maxResponseBytes,
        redirect: 'manual',
      });
    } catch (error) {
      if (!(error instanceof OutboundFetchError)) throw error;
      if (error.reason === 'too-large')
        throw new AppSyncFieldError(
          'HttpResponseTooLarge',
          `${where}: the answer of ${target.origin} is larger than ${maxResponseBytes} bytes (config.json appsync.http.maxResponseBytes).`,
        );
      if (error.reason === 'timeout')
        throw new AppSyncFieldError(
          'ExecutionTimeout',
          `${where}: ${target.origin} did not answer within ${timeoutMs} ms (config.json appsync.http.timeoutMs).`,
          {
            cause: error,
          },
        );
      throw new AppSyncFieldError('HttpConnectionError', `${where}: calling ${target.origin} failed: ${error.detail}.`, {
        cause: error,
      });
    }
    const { status, text } = answer;
    const contentType = answer.headers.get('content-type') ?? '';
    if (status === 200 || (supportsBody && status === 201)) {
      if (contentType.toLowerCase().includes('xml')) {
        try {
          return xmlToJson(text);
        } catch (error) {
          if (!(error instanceof XmlError)) throw error;
          throw new AppSyncFieldError('MappingTemplate', `${where}: the XML answer of ${target.origin} is not well formed: ${error.message}.`);
        }
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // The response template writes the body as the field's JSON value; AppSync fails on anything else.
        throw new AppSyncFieldError('MappingTemplate', `Unable to parse the JSON document: the answer of ${target.origin} is not JSON.`);
      }
    }
    throw new AppSyncFieldError(String(status), text);
  };
}
