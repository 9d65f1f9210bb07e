import { CONSOLE_CSRF_HEADER, CONSOLE_USER_TOKENS_PATH } from '@forte/protocol/console-paths';
import { jsonAnswer, pipeFetch, sessionCsrfToken } from '../api.js';

/** One key of an API, as ListApiKeys answers it; `id` is the key itself and is never rendered whole. */
export interface ApiKey {
  id: string;
  description?: string;
  /** Epoch seconds. */
  expires: number;
}

/** How a GraphQL request is authorized: one of the API's keys, the admin's own rights (IAM), or a user's token. */
export type GraphQLAuth = { mode: 'apiKey'; key: string } | { mode: 'iam' } | { mode: 'user'; userPoolId: string; username: string };

/** What the GraphQL endpoint answered: the HTTP status and its JSON body (data and errors). */
export interface GraphQLAnswer {
  status: number;
  body: unknown;
}

/** The API's keys (AppSync's ListApiKeys through the pipe). */
export async function listApiKeys(apiId: string): Promise<ApiKey[]> {
  const answer = await jsonAnswer<{ apiKeys: ApiKey[] }>(await pipeFetch(`v1/apis/${encodeURIComponent(apiId)}/apikeys`));
  return answer.apiKeys;
}

/** How a key is shown: its first characters only, so the page never displays the whole secret. */
export const maskedKey = (key: string): string => `${key.slice(0, 8)}…`;

interface UserTokens {
  accessToken: string;
  expiresIn: number;
  /** When to ask again (epoch ms), a minute before the tokens lapse. */
  renewAt: number;
}

/** Tokens already issued this page load, by pool and user: asked again only once they are about to expire. */
const issued = new Map<string, UserTokens>();

/** A user's access token from the console's user-tokens endpoint (session and CSRF checked; no password). */
async function accessTokenOf(userPoolId: string, username: string): Promise<string> {
  const key = `${userPoolId}\n${username}`;
  const known = issued.get(key);
  if (known && known.renewAt > Date.now()) return known.accessToken;
  const response = await fetch(CONSOLE_USER_TOKENS_PATH, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', [CONSOLE_CSRF_HEADER]: sessionCsrfToken() },
    body: JSON.stringify({ userPoolId, username }),
  });
  const tokens = await jsonAnswer<{ accessToken: string; expiresIn: number }>(response);
  issued.set(key, { ...tokens, renewAt: Date.now() + Math.max(0, tokens.expiresIn - 60) * 1000 });
  return tokens.accessToken;
}

/**
 * Runs a GraphQL request against the API: with a key or a user's access token (as aws-amplify v6 sends it) at the
 * API's own endpoint, or as the admin (IAM) through the pipe. Refusals (401 and the like) are answers too: the page
 * shows what the API said.
 */
export async function runGraphQL(
  apiId: string,
  auth: GraphQLAuth,
  request: { query: string; variables?: unknown; operationName?: string },
): Promise<GraphQLAnswer> {
  const body = JSON.stringify(request);
  const path = `graphql/${encodeURIComponent(apiId)}`;
  let response: Response;
  if (auth.mode === 'iam') {
    response = await pipeFetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  } else {
    const credential: Record<string, string> =
      auth.mode === 'apiKey' ? { 'x-api-key': auth.key } : { authorization: await accessTokenOf(auth.userPoolId, auth.username) };
    response = await fetch(`/${path}`, { method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json', ...credential }, body });
  }
  const text = await response.text();
  try {
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  } catch {
    return { status: response.status, body: text };
  }
}

/** A type reference of the introspection answer (`NON_NULL` and `LIST` wrap another). */
export interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

export interface SchemaField {
  name: string;
  type: TypeRef;
  args?: { name: string; type: TypeRef }[];
}

/** One named type of the schema, as the page lists it. */
export interface SchemaType {
  kind: string;
  name: string;
  description: string | null;
  fields: SchemaField[] | null;
  inputFields: SchemaField[] | null;
  enumValues: { name: string }[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';

/** The introspection query the schema browser asks: every type's fields, arguments, input fields and enum values. */
export const INTROSPECTION_QUERY = `query SchemaTypes {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      kind name description
      fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } }
      inputFields { name type { ${TYPE_REF} } }
      enumValues { name }
    }
  }
}`;

export interface SchemaSummary {
  roots: string[];
  types: SchemaType[];
}

/** The schema's own types (GraphQL's `__` types left out), root types first, from an introspection answer. */
export function schemaOf(answer: GraphQLAnswer): SchemaSummary {
  const body = answer.body as { data?: { __schema?: Record<string, unknown> }; errors?: { message: string }[] } | null;
  const schema = body?.data?.__schema as
    { queryType: { name: string } | null; mutationType: { name: string } | null; subscriptionType: { name: string } | null; types: SchemaType[] } | undefined;
  if (!schema) {
    const reason = body?.errors?.map((e) => e.message).join(' ') ?? `the API answered ${answer.status}`;
    throw new Error(`The schema could not be read with this auth mode: ${reason}`);
  }
  const roots = [schema.queryType?.name, schema.mutationType?.name, schema.subscriptionType?.name].filter((n): n is string => typeof n === 'string');
  const own = schema.types.filter((t) => !t.name.startsWith('__'));
  const rank = (t: SchemaType): number => (roots.includes(t.name) ? roots.indexOf(t.name) : roots.length);
  return { roots, types: own.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)) };
}

/** A type reference as SDL writes it: `[Note!]!`. */
export function typeName(ref: TypeRef | null): string {
  if (!ref) return '?';
  if (ref.kind === 'NON_NULL') return `${typeName(ref.ofType)}!`;
  if (ref.kind === 'LIST') return `[${typeName(ref.ofType)}]`;
  return ref.name ?? '?';
}
