import type { ConditionContext } from './iam-conditions.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StoredDataCount } from '@forte/protocol';
import type { BlobStore, Bus, SqlStore } from '../engines/types.js';
import type { AnyCapability, Capability, ProvidedCapability } from './capability.js';
import type { Logger } from './logger.js';
import type { MailSender } from './mail-transport.js';
import type { SecretBox } from './secret-box.js';

/** Who is calling, as resolved by the kernel from the request's credentials. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'admin'; accessKeyId: string }
  /** Temporary credentials bound to a role (identity pools; later issues). */
  | {
      kind: 'role';
      accessKeyId: string;
      roleArn: string;
      identityId?: string;
      /** Identity pool credentials: issued to a signed-in user (`authenticated`) or a guest (`unauthenticated`). */
      identityAuthType?: 'authenticated' | 'unauthenticated';
      /** The identity pool that issued the credentials (condition key `cognito-identity.amazonaws.com:aud`). */
      identityPoolId?: string;
      /** `cognito-identity.amazonaws.com:amr`: `authenticated` and the login provider, or `unauthenticated`. */
      amr?: readonly string[];
      /** When the temporary credentials expire, epoch milliseconds. */
      expiresAt?: number;
    };

/** An IAM-lite policy statement (AWS JSON policy grammar, subset). */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  /** Who may assume the role, in trust policies (`"*"` or `{ Federated | Service | AWS: name or names }`). */
  Principal?: '*' | Record<string, string | string[]>;
  /**
   * Evaluated (kernel/iam-conditions.ts): string, ARN, Bool, Null and IP address (`IpAddress`, `NotIpAddress`:
   * `aws:SourceIp` is the client's address in requests authorized through `ctx.authorize`) operators with
   * `ForAnyValue:` / `ForAllValues:` and `IfExists`. An Allow whose condition uses another operator grants nothing; such
   * a Deny applies.
   */
  Condition?: Record<string, unknown>;
}
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/**
 * What a verified Authorization header signed, for checking later signatures that chain from it
 * (S3 `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` chunk signatures). Never log it: the key signs requests.
 */
export interface SigningInfo {
  amzDate: string;
  /** `<date>/<region>/<service>/aws4_request` */
  scope: string;
  seedSignature: string;
  signingKey: Buffer;
}

/** The code of an authorization refusal, in the route's protocol family. */
export type DenyCode = 'AccessDenied' | 'AccessDeniedException';

export type ErrorFormat = 'json' | 'xml' | 'graphql' | 'text';

/**
 * Who called, as a service found out beyond the request's signature (`RequestContext.noteCaller`): a user
 * pool token's user, an AppSync API key, the keys of a signature the service checked itself. The request log
 * records it instead of the kernel's principal. Never a token, key secret or password.
 */
export interface CallerNote {
  /** `user-pool`, `oidc`, `api-key`, `lambda-authorizer`, or a principal kind (`admin`, `role`) for a signature checked by the service. */
  kind: string;
  accessKeyId?: string | undefined;
  /** The user: a user pool's username, an identity pool's identity id. */
  user?: string | undefined;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Parsed URL. Its pathname is normalised by WHATWG rules (`a/../b` → `b`): use `rawPath` for keys. */
  url: URL;
  /** The request path exactly as received, without the query string (still percent-encoded). */
  rawPath: string;
  requestId: string;
  log: Logger;
  /**
   * The headers every API answer carries (request ids, CORS). The kernel sets them on the response before
   * the route runs, except for routes marked `writesApiHeaders`, which pass them to their own `writeHead`.
   */
  apiHeaders(): Record<string, string>;
  /**
   * Verifies SigV4 (Authorization header or presigned query) and resolves the principal. Returns
   * `{kind:'anonymous'}` when the request carries no signature; throws a ForteError when it carries a bad one.
   * `service` is the signing service expected (`s3`, `forte`, ...). For S3 the payload hash is taken from
   * `x-amz-content-sha256`; for other services the body is read (at most 10 MiB, else 413), hashed and
   * returned in `body`. Exception: with `readBody: false` and a hex `x-amz-content-sha256` header, a non-S3
   * request is verified against that header without reading the body; the service must then check the
   * body's sha256 itself (as S3 does) before trusting it. A route that read the body itself (with its own
   * limit and refusal) passes it as `body`: it is hashed, not read again. The credential scope's region is not checked
   * (clients configured for any region work); its service must equal `service`. `signing` is returned for
   * Authorization-header requests (S3 needs it for signed aws-chunked uploads). `signedFor` names the host and
   * path the client signed when they differ from the request's own (a request signed for an AWS host and sent
   * to the cloud under another path); the signature still binds the credentials, method, query and headers.
   */
  authenticate(options: {
    service: string;
    readBody?: boolean;
    body?: Buffer;
    signedFor?: { host: string; rawPath: string };
  }): Promise<{ principal: Principal; body?: Buffer; signing?: SigningInfo }>;
  /**
   * IAM-lite: throws a ForteError unless the principal may do `action` on `resource`: S3's `AccessDenied`
   * (the default), or the AWS JSON APIs' `AccessDeniedException`. `context` adds the request's condition keys
   * (S3's `s3:prefix` for a list) to those the principal brings and `aws:SourceIp` (`kernel.clientAddress`).
   */
  authorize(principal: Principal, action: string, resource: string, denyCode?: DenyCode, context?: ConditionContext): Promise<void>;
  /**
   * Tells the kernel who the caller was, when the service knows more than the signature did (a user pool
   * token's user, an API key): the request log records it. The last note of a request wins.
   */
  noteCaller(caller: CallerNote): void;
}

export interface Route {
  name: string;
  errorFormat: ErrorFormat;
  /**
   * Public static content (hosted sites): answered without the API headers (request ids, CORS) and
   * logged at debug level, so the hot path of a site stays close to a bare file server.
   */
  publicStatic?: boolean;
  /**
   * The route answers every request with one `writeHead` that includes `ctx.apiHeaders()`, so the kernel
   * does not set them first (one header call per answer instead of one per header). Errors the kernel
   * answers for it still carry them.
   */
  writesApiHeaders?: boolean;
  /**
   * Which web pages may call the route from a browser. `any` (the default): the AWS APIs that aws-amplify
   * calls from an app on another origin (Cognito, identity pools, AppSync, S3, DynamoDB). `same-origin`: the
   * cloud's own admin APIs (control, hosting deploys, mailbox), which no app calls; their answers carry no
   * CORS headers and a preflight from another origin is refused.
   */
  browserAccess?: 'any' | 'same-origin';
  /**
   * The route serves OPTIONS requests itself (API Gateway's APIs, whose OPTIONS methods are part of each API)
   * instead of the kernel answering them as CORS preflights.
   */
  ownsOptions?: boolean;
  /**
   * Where the route stands among the routes of its match kind (default `prefix`); see `RouteOrder`.
   * Routes of one rank are tried in the order their services were given.
   */
  order?: RouteOrder;
  /**
   * How a request is recognised; routes are tried by `order`. `raw` tests the raw request (host
   * header, raw path) and needs no parsed URL: such routes are tried first, before the URL is parsed (the
   * fast path of public static content). `path` tests the request and the URL's pathname (normalised as
   * `url.pathname` is), without building a URL when the raw path is already in normal form. `url` tests
   * method, host, parsed path and headers.
   */
  match:
    | { url(req: IncomingMessage, url: URL): boolean }
    | { path(req: IncomingMessage, pathname: string): boolean }
    | { raw(req: IncomingMessage, rawPath: string): boolean };
  handle(ctx: RequestContext): Promise<void>;
  /**
   * What an AWS JSON API route serves (set by `jsonApiRoute`): its path, target prefix, signing service and
   * operation names, so a caller can enumerate every operation the cloud answers (the request fuzz test does).
   */
  jsonApi?: JsonApiDescription;
}

/**
 * Dispatch precedence, declared by each route so that the order services are given in changes nothing:
 * `host` routes claim whole host names (a hosted site's `<app>-<env>.localhost`, whatever its path, even
 * `/s3/...`), `prefix` routes a path or a service host (the APIs), `fallback` routes take what no other
 * route matched. Raw routes are tried before URL routes, each list in this order.
 */
export type RouteOrder = 'host' | 'prefix' | 'fallback';

/** The public face of one AWS JSON API route: enough to address and sign a call to each of its operations. */
export interface JsonApiDescription {
  path: string;
  /**
   * The SDK's name for the API in `AWS_ENDPOINT_URL_<name>` (its client's serviceId, upper-cased with `_`),
   * where it is not the signing service's: DynamoDB Streams signs as `dynamodb` but is `DYNAMODB_STREAMS`.
   */
  sdkEndpointName?: string;
  targetPrefix: string;
  signingService: string;
  /** Whether the API answers `application/x-amz-json-1.0` (DynamoDB) or 1.1. */
  jsonVersion: '1.0' | '1.1';
  operations: readonly string[];
}

/**
 * Drops what a service keeps for an app environment outside its resources (`ENVIRONMENT_CLEANUPS`), once
 * the environment is deleted; `appId` is the Amplify app id. Answers how many entries it dropped.
 */
export type EnvironmentCleanup = (environment: { appId: string; envName: string }) => Promise<number>;

/**
 * A protocol upgrade (WebSocket) served on a path, matched like a URL route: the server's `upgrade` event
 * goes to the first match in registration order; an upgrade that matches none is answered 404 and dropped.
 */
export interface UpgradeRoute {
  name: string;
  match(req: IncomingMessage, url: URL): boolean;
  /**
   * Takes over the socket: completes the handshake or writes a refusal and destroys it. A throw or a
   * rejection is logged and answered 500. Sockets still open when the cloud closes are destroyed after `close`.
   * The socket counts against its address's limit of unauthenticated upgrades until the route calls
   * `upgrade.authenticated()` (AppSync realtime: at connection_ack) or the socket closes.
   */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, upgrade: { authenticated(): void }): Promise<void> | void;
  /** Ends the route's connections gracefully (WebSocket close frames) when the cloud closes. */
  close?(): Promise<void>;
}

/** What a resource handler knows about the deployment it runs in. */
export interface ResourceContext {
  appId: string;
  /** The app's slug (unique, used in host names `<appSlug>-<envName>.localhost`). */
  appSlug: string;
  envName: string;
  stackName: string;
  logicalId: string;
  region: string;
  accountId: string;
  log: Logger;
  /**
   * One property of this deployment's resources of `type` not applied yet (they come after this one), each
   * evaluated as far as it can be now: `{ known: false }` for one that names a value not known yet. Lets a
   * handler accept a reference to a resource the same push creates later.
   */
  pendingValues?(type: string, property: string): PendingValue[];
}

export type PendingValue = { known: true; value: unknown } | { known: false };

export interface ResourceResult {
  physicalId: string;
  attributes: Record<string, unknown>;
  /**
   * What the resource was deployed with that will not work until something else changes, where AWS deploys it
   * too (a schema's `@function` naming a function that does not exist): the reason of the resource's COMPLETE
   * event, each after STACK_EVENT_WARNING, which the CLI repeats once the push is done.
   */
  warnings?: string[];
}

/**
 * Create/update/delete of one resource type. Handlers are idempotent: create with a physical id that
 * already exists adopts it; delete of a missing resource succeeds. `update` may answer 'replace' when
 * the change cannot be made in place (the engine then creates a new one and deletes the old one last).
 */
export interface ResourceHandler {
  create(props: Record<string, unknown>, ctx: ResourceContext): Promise<ResourceResult>;
  update(physicalId: string, props: Record<string, unknown>, oldProps: Record<string, unknown>, ctx: ResourceContext): Promise<ResourceResult | 'replace'>;
  delete(physicalId: string, props: Record<string, unknown>, ctx: ResourceContext): Promise<void>;
  /** Property names whose change always means replacement (shown in the change set preview). */
  replaceOn?: readonly string[];
  /**
   * Resource types this one is applied after when a deployment has both, though no reference orders them
   * (an AppSync schema checks that the functions its `@function` fields name exist): unless the two are
   * already ordered the other way, in which case the references decide.
   */
  appliedAfter?: readonly string[];
  /** Property names whose change the handler makes in place by migrating data, with what happens (shown in the preview). */
  migrateOn?: Readonly<Record<string, string>>;
  /**
   * The data the resource holds (a table's items, a pool's users, a bucket's objects), for types whose
   * deletion destroys it: the stack engine counts it in the change set, so nobody approves its loss
   * unknowingly, and keeps a copy before deleting the resource, to put back later.
   */
  storedData?: StoredDataHooks;
}

/**
 * How the stack engine reaches a resource's data without knowing its service. `snapshot` and `restore`
 * are optional: a type that only counts is protected by the confirmation but cannot be brought back.
 */
export interface StoredDataHooks {
  kind: StoredDataCount['kind'];
  /** How much the resource holds; 0 for a resource that no longer exists. */
  count(physicalId: string, props: Record<string, unknown>): Promise<number>;
  /** A copy of everything the resource holds, as JSON-serialisable data only `restore` reads. */
  snapshot?(physicalId: string, props: Record<string, unknown>): Promise<StoredDataSnapshot>;
  /**
   * Puts a snapshot back into the resource as it exists now (it may be a new one, with another physical
   * id). What the resource already holds wins: an entry with the same key is skipped, never overwritten.
   */
  restore?(physicalId: string, props: Record<string, unknown>, snapshot: StoredDataSnapshot): Promise<StoredDataRestore>;
}

export interface StoredDataSnapshot {
  /** Bumped when the shape of `data` changes, so an old copy is read as it was written. */
  version: number;
  count: number;
  data: unknown;
}

export interface StoredDataRestore {
  restored: number;
  /** Entries not put back, each with why (already present, no longer fits the resource). */
  skipped: number;
  /** One example of a skip, for the message. */
  example?: string;
}

/**
 * A service module: its HTTP routes, the resource types it provides to the stack engine, and the
 * capabilities it gives and needs. Built by a `ServiceFactory`.
 */
export interface Service {
  name: string;
  routes: Route[];
  /** What it gives other services: `provide(TABLES, engine)` (kernel/capabilities.ts declares them all). */
  provides?: readonly ProvidedCapability[];
  /** What it cannot work without: the cloud refuses to start unless another of its services provides each. */
  requires?: readonly AnyCapability[];
  /** Upgrade handlers (WebSocket endpoints), tried in registration order after those of earlier services. */
  upgrades?: UpgradeRoute[];
  resourceTypes?: Record<string, ResourceHandler>;
  /** Called once after every service is constructed (migrations, recovery). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * Builds a service on the kernel: `options` are its own settings (its section of config.json), with
 * defaults for every field, so a factory also serves as `(kernel) => Service` in `createCloud({ services })`.
 */
export type ServiceFactory<Options = never> = (kernel: Kernel, options?: Options) => Service;

/** Secret and principal of an access key, as known to one credential provider. */
export interface ResolvedCredentials {
  secretAccessKey: string;
  principal: Principal;
}

/**
 * Resolves access key ids to secrets during SigV4 verification. The kernel asks each registered provider
 * in order; the first that knows the key wins. `sessionToken` is the request's `x-amz-security-token`
 * (temporary credentials); a provider may throw a ForteError (e.g. an expired token).
 */
export interface CredentialProvider {
  lookup(accessKeyId: string, sessionToken: string | undefined): Promise<ResolvedCredentials | undefined>;
}

/** How services reach each other and the engines: only through this object (ARCHITECTURE §3). */
export interface Kernel {
  readonly config: CloudConfig;
  readonly sql: SqlStore;
  readonly blobs: BlobStore;
  /**
   * Messages to the other instances sharing this cloud's database (and to this one): the in-process bus when
   * the cloud runs alone. A service that keeps data another instance can change in memory (a served API, a
   * table definition, a live site) publishes "changed" after its committed write and drops its copy on
   * receipt (kernel/cache-invalidation.ts); realtime events fan out through it.
   */
  readonly bus: Bus;
  readonly log: Logger;
  /** Real email delivery (SMTP), undefined unless the cloud is configured with an SMTP server. */
  readonly mail: MailSender | undefined;
  /**
   * Seals secrets a service keeps in the database (signing keys, secret access keys, future secrets such as
   * SecureString parameters) with the key kept outside it (`<dataDir>/secret.key` or FORTE_SECRET_KEY), so
   * a copy of the database alone gives none away. Seal on write, open on read; migrate plaintext rows at start.
   */
  readonly secrets: SecretBox;
  /** Public base URL once listening, e.g. `http://127.0.0.1:20002`. */
  baseUrl(): string;
  /**
   * The cloud's own HTTPS listener once listening (`https://127.0.0.1:20443`), undefined when it has none. Browsers
   * reach the hosted UI through it: aws-amplify prepends `https://` to the OAuth domain.
   */
  httpsBaseUrl(): string | undefined;
  /**
   * The address of the client that sent a request: the socket's, or, when the socket is a trusted proxy's
   * (`CloudConfig.trustedProxies`), the right-most X-Forwarded-For address that is not a trusted proxy
   * (kernel/client-address.ts). Everything counted or reported per client uses it (sign-in limits,
   * `sourceIp`, `sourceIPAddress`, the request log), so a client behind the load balancer is itself, and a
   * client that is not behind it cannot choose its address.
   */
  clientAddress(req: IncomingMessage): string;
  /**
   * The X-Forwarded-For to hand on for a request (API Gateway's event): what the client claimed, unverified,
   * then `clientAddress(req)`, so its last entry is the address the cloud believes.
   */
  forwardedFor(req: IncomingMessage): string;
  /** Port once listening. */
  port(): number;
  /**
   * The AWS JSON APIs the cloud's services serve (path, signing service), for telling clients where each
   * one is (the lambda service gives functions `AWS_ENDPOINT_URL_<SERVICE>`).
   */
  jsonApis(): JsonApiDescription[];
  /** Resource handlers of every service (the stack engine reads them). */
  resourceHandler(type: string): ResourceHandler | undefined;
  /**
   * What the cloud's services provide for a capability (kernel/capabilities.ts): the one provider's value,
   * or, for a capability list, every provider's value (possibly none). A service reads it when it needs it,
   * not while it is built: providers may come later in the list. Throws for a single capability nobody
   * provides; a service that needs one lists it in `requires`, so the cloud does not start without it.
   */
  capability<Value>(capability: Capability<unknown, Value>): Value;
  /**
   * Verifies a SigV4 signature carried in a set of headers alone (the AppSync realtime handshake sends the
   * headers of a signed `POST <path>` with its body); throws a ForteError like `ctx.authenticate`.
   */
  verifySignedHeaders(input: SignedHeadersInput): Promise<Principal>;
  /**
   * IAM-lite, for checks outside an HTTP request (realtime subscriptions): throws a ForteError (AccessDenied…)
   * unless the principal may do `action` on `resource`. Within a request, `ctx.authorize` is the same check.
   */
  authorize(principal: Principal, action: string, resource: string, denyCode?: DenyCode, context?: ConditionContext): Promise<void>;
  /**
   * Whether a federated principal (`federatedPrincipal`) or an AWS service (`servicePrincipal`, e.g.
   * `lambda.amazonaws.com` before it runs a function with its execution role) may assume a role (trust
   * policies of `TRUST_POLICY_SOURCES`): the role must exist and its trust policy
   * (`AssumeRolePolicyDocument`) must allow the principal and action with the request's condition keys.
   * Answers the refusal's reason, or undefined when allowed.
   */
  checkRoleTrust(request: RoleTrustRequest): Promise<string | undefined>;
  /**
   * Hands a request that a route authenticated by its own means (the console's session cookie and CSRF
   * header) to the route that `target` (a path and query) reaches, as `principal`: there `ctx.authenticate()`
   * answers that principal without looking for a signature (it still reads the body), and everything else
   * (input checks, authorization, errors in the protocol's shape) is as for a signed call. Only a route that
   * checked its caller itself may call it; the ordinary AWS endpoints never accept a cookie. The calling
   * route's own routes (`except`) are never reached, and an unknown path answers 404.
   */
  dispatchAs(principal: Principal, request: { req: IncomingMessage; res: ServerResponse; target: string; except: readonly Route[] }): Promise<void>;
}

/** What every service shares; a service's own settings are its factory's options (`ServiceFactory`). */
export interface CloudConfig {
  dataDir: string;
  host: string;
  port: number;
  region: string;
  accountId: string;
  /** This process's random id (the health check's `instance`): owners of work on a shared database. */
  instance?: string;
  /**
   * The id of the database's cluster, made at its first start and shared by every instance on that database
   * (it scopes their bus subjects).
   */
  clusterId?: string;
  /** Limits on slow and unauthenticated connections; defaults in kernel/connection-guard.ts. */
  connectionLimits: ConnectionLimits;
  /**
   * The load balancers and proxies (addresses, CIDR blocks) whose X-Forwarded-For names the client
   * (`trustedProxies` in config.json); none by default. Their connections are not counted per address.
   */
  trustedProxies?: readonly string[];
}

/**
 * Limits on connections that hold the server's sockets without doing anything yet (`connections` in
 * config.json). A per-address limit of 0 turns that limit off; a trusted proxy's connections are not counted.
 */
export interface ConnectionLimits {
  /** node's `headersTimeout`: the most time a client has to send a request's headers (default 20 s). */
  headersTimeoutMs: number;
  /** node's `requestTimeout`: the most time for a whole request, body included (default 300 s, node's). */
  requestTimeoutMs: number;
  /**
   * node's `keepAliveTimeout`: how long a connection may wait between requests (default 65 s). Longer than the idle
   * time of the load balancers and client agents that reuse connections (an ALB's 60 s, agents' 4–5 s), so that
   * they close an idle connection first and never send a request on one the cloud is closing (ECONNRESET).
   */
  keepAliveTimeoutMs: number;
  /** Connections from one address that have not yet sent a complete request head (default 128); more get a 503. */
  maxPendingConnectionsPerAddress: number;
  /** Keep-alive connections from one address idle between requests (default 128); past it, the one idle longest is closed. */
  maxIdleConnectionsPerAddress: number;
  /** WebSocket connections from one address not yet authenticated (default 100); more are refused with 429. */
  maxUnauthenticatedUpgradesPerAddress: number;
  /** A realtime connection that sends no connection_init in this time is closed (default 15 s). */
  realtimeInitTimeoutMs: number;
  /** Requests that may wait for a later event-loop turn (`kernel/request-turns.ts`, default 2048); more are answered 503. */
  maxQueuedRequests: number;
}

export type { IncomingMessage, ServerResponse };

/** A role's trust policy as its owner stores it; `document` undefined: the role has none. */
export type TrustPolicySource = (roleArn: string) => Promise<{ document: PolicyDocument | undefined } | undefined>;

/** Assuming a role through a federated identity (identity pools: `cognito-identity.amazonaws.com`). */
/** A federated identity (a Cognito identity pool's user or guest) asking for a role's credentials. */
export interface FederatedTrustRequest {
  roleArn: string;
  /** The `Federated` principal asking. */
  federatedPrincipal: string;
  /** `sts:AssumeRoleWithWebIdentity`. */
  action: string;
  /** Condition keys (`cognito-identity.amazonaws.com:aud`, `:amr`, `:sub`). */
  context: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * An AWS service acting with a role: `lambda.amazonaws.com` running a function with its execution role,
 * `events.amazonaws.com` a rule's target. The trust policy must name it as `{"Service": ...}`.
 */
export interface ServiceTrustRequest {
  roleArn: string;
  /** The `Service` principal asking, e.g. `lambda.amazonaws.com`. */
  servicePrincipal: string;
  /** `sts:AssumeRole` when absent. */
  action?: string;
  /** Condition keys (`aws:SourceArn`, `aws:SourceAccount`), when the service gives them. */
  context?: Readonly<Record<string, string | readonly string[]>>;
}

export type RoleTrustRequest = FederatedTrustRequest | ServiceTrustRequest;

export interface VerifiedIdentityToken {
  sub: string;
  username: string;
  groups: string[];
  /** All claims of the verified token. */
  claims: Record<string, unknown>;
}

export interface IdentityTokenOptions {
  /** Which tokens are accepted: `id` (the default), or `any` (ID or access tokens). */
  tokenUse?: 'id' | 'any';
}

export interface IdentityTokenVerifier {
  /** Answers undefined for providers it does not own; throws nothing for bad tokens (answers undefined). */
  verify(providerName: string, token: string, options?: IdentityTokenOptions): Promise<VerifiedIdentityToken | undefined>;
}

/** A signed request given as data: the method, raw path (with any query), headers and body that were signed. */
export interface SignedHeadersInput {
  service: string;
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string | Buffer;
}

/**
 * A DynamoDB attribute value, exactly as on the wire (`B`/`BS` base64). The table engine speaks these rather
 * than plain JS values so that numbers keep their 38 digits and sets stay distinct from lists, whatever
 * layer (the DynamoDB API, AppSync resolvers) sits on top.
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

/** An item or a key: attribute name → value. */
export type TableItem = Record<string, AttributeValue>;

/**
 * An expression in DynamoDB's syntax with its own `#name` and `:value` placeholders (the shape of AppSync's
 * `{expression, expressionNames, expressionValues}`). Every placeholder given must be used.
 */
export interface TableExpression {
  expression: string;
  names?: Record<string, string>;
  values?: TableItem;
}

export type TableReturnValues = 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';

/** A page of a query or scan: `lastEvaluatedKey` is set when more items may follow. */
export interface TablePage {
  items: TableItem[];
  /** Items evaluated before the filter. */
  scannedCount: number;
  lastEvaluatedKey?: TableItem;
}

export interface TableReadOptions {
  table: string;
  /** A global secondary index of the table. */
  index?: string;
  filter?: TableExpression;
  projection?: TableExpression;
  /** Items evaluated (before the filter), as DynamoDB's Limit; pages are also cut at 1 MB. */
  limit?: number;
  exclusiveStartKey?: TableItem;
  /**
   * Read only the items whose top-level number attribute is at least `value`, tested by the store before
   * the items are read: the others are not evaluated (nor counted in `scannedCount` or `limit`), as if absent.
   * For services' own reads (AppSync's delta sync: `_lastChangedAt` at or after `lastSync`); the DynamoDB API
   * has no such option.
   */
  numberAtLeast?: { attribute: string; value: number };
}

/**
 * DynamoDB tables as a programmatic engine (what the DynamoDB API is a thin layer over). Failures throw
 * A ForteError with DynamoDB's codes: ResourceNotFoundException, ValidationException,
 * ConditionalCheckFailedException. Each write is one transaction of the SQL store, so concurrent conditional
 * writes cannot both pass.
 */
export interface TableEngine {
  get(input: { table: string; key: TableItem; projection?: TableExpression }): Promise<TableItem | undefined>;
  /** `attributes` per `returnValues` (NONE or ALL_OLD). */
  put(input: TableWriteOptions & { table: string; item: TableItem }): Promise<{ attributes?: TableItem }>;
  update(input: TableWriteOptions & { table: string; key: TableItem; update: TableExpression }): Promise<{ attributes?: TableItem }>;
  delete(input: TableWriteOptions & { table: string; key: TableItem }): Promise<{ attributes?: TableItem }>;
  query(input: TableReadOptions & { keyCondition: TableExpression; scanIndexForward?: boolean }): Promise<TablePage>;
  scan(input: TableReadOptions): Promise<TablePage>;
  /**
   * How many items match the key condition (all items without one) and the filter, without any page limit.
   * With `maxScanned`, reads at most that many items and throws a ForteError `LimitExceededException` when
   * the count needs more; `onScanned` hears how many items were read (filtered out ones included).
   */
  count(input: {
    table: string;
    index?: string;
    keyCondition?: TableExpression;
    filter?: TableExpression;
    maxScanned?: number;
    onScanned?: (items: number) => void;
  }): Promise<number>;
}

export interface TableWriteOptions {
  condition?: TableExpression;
  returnValues?: TableReturnValues;
  /**
   * When the condition fails, the ConditionalCheckFailedException carries the current item in
   * `fields.Item` (the error's `fields`), as DynamoDB's
   * ReturnValuesOnConditionCheckFailure ALL_OLD: what a conflict handler needs to answer with.
   */
  returnItemOnConditionFailure?: boolean;
}
