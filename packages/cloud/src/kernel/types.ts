import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlobStore, SqlStore } from '../engines/types.js';
import type { Logger } from './logger.js';

/** Who is calling, as resolved by the kernel from the request's credentials. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'admin'; accessKeyId: string }
  /** Temporary credentials bound to a role (identity pools; later issues). */
  | { kind: 'role'; accessKeyId: string; roleArn: string; identityId?: string };

/** An IAM-lite policy statement (AWS JSON policy grammar, subset). */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/** Error answered in the route's protocol shape (JSON `__type`, S3 XML `<Error><Code>`). */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    options?: { cause?: unknown; headers?: Record<string, string>; extra?: Record<string, string> },
  ) {
    super(message, options);
    this.headers = options?.headers;
    this.extra = options?.extra;
  }
  readonly headers: Record<string, string> | undefined;
  /** More fields for the error body (S3: `<Key>`, `<BucketName>`, ...). */
  readonly extra: Record<string, string> | undefined;
}

export type ErrorFormat = 'json' | 'xml' | 'graphql' | 'text';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  log: Logger;
  /**
   * Verifies SigV4 (Authorization header or presigned query) and resolves the principal. Returns
   * `{kind:'anonymous'}` when the request carries no signature; throws ServiceError when it carries a bad one.
   * `service` is the signing service expected (`s3`, `forte`, ...). For S3 the payload hash is taken from
   * `x-amz-content-sha256`; for other services the body is read and hashed (and returned in `body`).
   */
  authenticate(options: { service: string; readBody?: boolean }): Promise<{ principal: Principal; body?: Buffer }>;
  /** IAM-lite: throws ServiceError(AccessDenied...) unless the principal may do `action` on `resource`. */
  authorize(principal: Principal, action: string, resource: string, denyCode?: string): Promise<void>;
}

export interface Route {
  name: string;
  errorFormat: ErrorFormat;
  /** Cheap test on method, host, path and headers. Routes are tried in registration order. */
  match(req: IncomingMessage, url: URL): boolean;
  handle(ctx: RequestContext): Promise<void>;
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
}

export interface ResourceResult {
  physicalId: string;
  attributes: Record<string, unknown>;
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
}

/** A service module: its HTTP routes and the resource types it provides to the stack engine. */
export interface Service {
  name: string;
  routes: Route[];
  resourceTypes?: Record<string, ResourceHandler>;
  /** Called once after every service is constructed (migrations, recovery). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** How services reach each other and the engines: only through this object (ARCHITECTURE §3). */
export interface Kernel {
  readonly config: CloudConfig;
  readonly sql: SqlStore;
  readonly blobs: BlobStore;
  readonly log: Logger;
  /** Public base URL once listening, e.g. `http://127.0.0.1:20002`. */
  baseUrl(): string;
  /** Port once listening. */
  port(): number;
  /** Resource handlers of every service (the stack engine reads them). */
  resourceHandler(type: string): ResourceHandler | undefined;
  /** Lets a service (the IAM service) provide role policies to the policy engine. */
  registerPolicySource(source: (principal: Principal) => Promise<PolicyDocument[]>): void;
}

export interface CloudConfig {
  dataDir: string;
  host: string;
  port: number;
  region: string;
  accountId: string;
  /** Test-only fault switches (FORTE_TEST_FAULTS=1 enables the Forte::Test::* resource types). */
  testFaults: boolean;
}

export type { IncomingMessage, ServerResponse };
