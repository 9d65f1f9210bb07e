import { defineCapability, defineCapabilityList } from './capability.js';
import type {
  CallerNote,
  CredentialProvider,
  EnvironmentCleanup,
  IdentityTokenVerifier,
  PolicyDocument,
  Principal,
  TableEngine,
  TrustPolicySource,
} from './types.js';

/**
 * Every capability services give each other, declared once: a provider lists `provide(X, value)` in its
 * `provides`, a consumer lists `X` in its `requires` (when it cannot work without one) and reads
 * `kernel.capability(X)`.
 */

/** DynamoDB-compatible tables for other services (AppSync resolvers). */
export const TABLES = defineCapability<TableEngine>('tables', { providedBy: 'dynamodb' });

/**
 * Verifiers of identity tokens (user pool ID and access tokens, later OIDC), each owning its providers;
 * read them with `verifyIdentityToken` (kernel/identity-tokens.ts).
 */
export const IDENTITY_TOKEN_VERIFIERS = defineCapabilityList<IdentityTokenVerifier>('identity-token-verifiers', { providedBy: 'cognito-idp' });

/** The policies of a principal (a role's inline and attached policies), evaluated by `kernel.authorize`. */
export const POLICY_SOURCES = defineCapabilityList<(principal: Principal) => Promise<PolicyDocument[]>>('policy-sources', { providedBy: 'iam' });

/** Resolvers of access key ids (admin keys, identity pool credentials), asked in order during SigV4 checks. */
export const CREDENTIAL_PROVIDERS = defineCapabilityList<CredentialProvider>('credential-providers', { providedBy: 'cognito-identity' });

/** The trust policies of roles, evaluated by `kernel.checkRoleTrust`. */
export const TRUST_POLICY_SOURCES = defineCapabilityList<TrustPolicySource>('trust-policy-sources', { providedBy: 'iam' });

/**
 * Data an app environment keeps outside its deployed resources (its SSM parameters), dropped by the control
 * service once DeleteEnvironment has deleted the environment.
 */
export const ENVIRONMENT_CLEANUPS = defineCapabilityList<EnvironmentCleanup>('environment-cleanups', { providedBy: 'ssm' });

/**
 * Rewrites an AWS endpoint URL that a template builds by hand (API Gateway's
 * `https://<apiId>.execute-api.<region>.amazonaws.com/<stage>`, Amplify's `RootUrl` output) into where this cloud
 * serves it; answers undefined for a value it does not own. The stack engine applies them to stack outputs.
 */
export type OutputUrlRewrite = (value: string) => string | undefined;

/** The endpoint URLs in stack outputs that services serve elsewhere (provided by apigateway). */
export const OUTPUT_URL_REWRITES = defineCapabilityList<OutputUrlRewrite>('output-url-rewrites', { providedBy: 'apigateway' });

/** One object of a bucket, read whole (Lambda's code and layers): `too-large` beyond `maxBytes`, unread. */
export type ObjectRead = { status: 'missing' } | { status: 'too-large'; size: number } | { status: 'found'; body: Buffer };

/** Objects of the cloud's buckets for other services (the lambda service reads code zips). */
export interface ObjectReader {
  read(bucket: string, key: string, options: { maxBytes: number }): Promise<ObjectRead>;
}

/** The cloud's buckets, read by key (Lambda function code and layers). */
export const OBJECTS = defineCapability<ObjectReader>('objects', { providedBy: 's3' });

/** What an invocation through `FUNCTIONS` answers: Lambda's Invoke status, payload and function error. */
export interface FunctionInvocationResult {
  /** 200 (RequestResponse), 202 (Event, queued), 204 (DryRun). */
  statusCode: number;
  /** The handler's JSON result or Lambda's error object (RequestResponse only). */
  payload?: string;
  functionError?: 'Unhandled';
}

/** Lambda functions for other services (AppSync `@function` resolvers, schedules). */
export interface FunctionInvoker {
  /**
   * Invokes a function by name or (partial) ARN. Throws a ForteError for an unknown function
   * (ResourceNotFoundException), a payload over Lambda's limits or a throttle (TooManyRequestsException).
   */
  invoke(
    nameOrArn: string,
    payload: string,
    options?: {
      invocationType?: 'RequestResponse' | 'Event' | 'DryRun';
      /**
       * Event only: invocations of one function queued with the same key run one at a time, in the order they
       * were queued, each after the previous one succeeded or used up its retries (an S3 object's notifications).
       */
      orderingKey?: string;
      /** The caller's X-Ray trace header (`X-Amzn-Trace-Id`), which the invocation continues (RequestResponse). */
      traceHeader?: string;
    },
  ): Promise<FunctionInvocationResult>;
  exists(nameOrArn: string): Promise<boolean>;
  /**
   * Whether the function exists and its resource policy (`AWS::Lambda::Permission` statements) lets the service
   * `principal` invoke it on behalf of `sourceArn` in `sourceAccount` (S3 checks this before it accepts a
   * notification configuration).
   */
  permits(nameOrArn: string, requester: { principal: string; sourceArn: string; sourceAccount: string }): Promise<boolean>;
}

/** The cloud's Lambda functions (provided by lambda). */
export const FUNCTIONS = defineCapability<FunctionInvoker>('functions', { providedBy: 'lambda' });

/** One record of a table's stream: Lambda's DynamoDB event record (`eventSourceARN` included). */
export interface StreamRecordEntry {
  /** The record's `dynamodb.SequenceNumber`: decimal digits, increasing along the stream. */
  sequenceNumber: string;
  /** When the write committed (epoch milliseconds). */
  createdAt: number;
  record: Record<string, unknown>;
}

/** The tables' change streams (DynamoDB Streams), read by position: every committed write is one record. */
export interface StreamReader {
  /** Whether the stream exists: its table has it on, or had it within the retention period. */
  exists(streamArn: string): Promise<boolean>;
  /** The sequence number of the stream's newest record (where `LATEST` starts), or undefined when it has none. */
  latestSequenceNumber(streamArn: string): Promise<string | undefined>;
  /** Records after the sequence number `after` (from the oldest kept when undefined), oldest first, at most `limit`. */
  read(streamArn: string, after: string | undefined, limit: number): Promise<StreamRecordEntry[]>;
  /** Calls `listener` with the stream's ARN after each commit that added records to it; answers how to stop. */
  onRecords(listener: (streamArn: string) => void): () => void;
}

/** The DynamoDB tables' streams (provided by dynamodb; lambda's event source mappings read them). */
export const STREAMS = defineCapability<StreamReader>('streams', { providedBy: 'dynamodb' });

/**
 * The Kinesis data streams' records, read as a StreamReader (provided by kinesis; lambda's event source mappings
 * read them). `read` answers records of one shard at a time, as each Lambda invocation of a Kinesis mapping holds
 * one shard's records; the entries' `record` is Lambda's Kinesis event record.
 */
export const KINESIS_STREAMS = defineCapability<StreamReader>('kinesis-streams', { providedBy: 'kinesis' });
/** A Kinesis stream's ARN: region, account and name (the streams KINESIS_STREAMS reads). */
export const KINESIS_STREAM_ARN = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([A-Za-z0-9_.-]{1,128})$/;

/** One-time links that sign a browser in to the web console (the control API's `CreateConsoleLoginLink`). */
export interface ConsoleLoginLinks {
  /** A new link for the admin key that asks, valid once until `expiresAt`; the url carries the secret token. */
  create(accessKeyId: string): Promise<{ url: string; expiresAt: string }>;
}
/** At most one provider (the console service); a cloud without it answers that it has no console. */
export const CONSOLE_LOGIN_LINKS = defineCapabilityList<ConsoleLoginLinks>('console-login-links', { providedBy: 'console' });

/** A user's ID and access tokens, issued as a sign-in would issue them, without the refresh token. */
export interface IssuedUserTokens {
  idToken: string;
  accessToken: string;
  /** Seconds until both tokens expire. */
  expiresIn: number;
  /** The app client the tokens name (`aud`, `client_id`). */
  clientId: string;
  /** The user's username (the name asked for may be an alias). */
  username: string;
}

/**
 * Tokens of a user pool's user for the console's "as user X" GraphQL calls: the user's claims, groups and the
 * pool's PreTokenGeneration trigger, as a sign-in gives them, without the user's password. Throws the user
 * pools' ForteErrors: an unknown pool or user, a disabled or unconfirmed user, a pool without app client.
 */
export interface UserTokenIssuer {
  issue(input: { userPoolId: string; username: string; clientId?: string | undefined }): Promise<IssuedUserTokens>;
}

/** At most one provider (cognito-idp); the console asks it, and answers that the cloud has no user pools without it. */
export const USER_TOKENS = defineCapabilityList<UserTokenIssuer>('user-tokens', { providedBy: 'cognito-idp' });
/**
 * One answered request, as the request listener hands it to the request log (`REQUEST_LOG_SINKS`): never the
 * query string, a header or a body.
 */
export interface AnsweredRequest {
  /** When the answer ended (or the client went away), epoch milliseconds. */
  at: number;
  requestId: string;
  method: string;
  /** The raw path, without the query string. */
  path: string;
  status: number;
  ms: number;
  /** The route that answered (`Route.name`), undefined when none matched. */
  route: string | undefined;
  client: string;
  /** The caller: the kernel's principal, or what the service noted (`RequestContext.noteCaller`). */
  caller: CallerNote;
}

/**
 * Where the request listener hands every answered request (the request-log service). `record` runs on the
 * request path: it must only take the entry (buffer it), never wait for storage.
 */
export const REQUEST_LOG_SINKS = defineCapabilityList<{ record(entry: AnsweredRequest): void }>('request-log-sinks', { providedBy: 'request-log' });

/** A filter of the request log (the control API's `ListRequestLog`), times in epoch milliseconds. */
export interface RequestLogQuery {
  /** An exact status, or a class `[min, max]` (4xx: 400–499). */
  status?: number | readonly [number, number];
  service?: string;
  principal?: string;
  accessKeyId?: string;
  user?: string;
  from?: number;
  to?: number;
  limit: number;
  /** Where the previous page ended: newer rows than this are not read again. */
  before?: { at: number; requestId: string };
}

export interface RequestLogRow {
  at: number;
  requestId: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  service: string | undefined;
  client: string;
  principal: string;
  accessKeyId: string | undefined;
  user: string | undefined;
}

/** Reads the stored request log (provided by the request-log service; the control API's `ListRequestLog` reads it). */
export const REQUEST_LOG = defineCapabilityList<{ query(query: RequestLogQuery): Promise<RequestLogRow[]> }>('request-log', { providedBy: 'request-log' });
