import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createReadStream, existsSync, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { DATABASE_FILE, isEmbeddedDatabase, openSqlStore } from './engines/open-sql-store.js';
import { copyEmbeddedDatabase, type CopiedTables } from './engines/copy-database.js';
import { dropPostgresTables, openPostgresStore, postgresSchemaIsEmpty, redactUrl, resetIdentitySequences } from './engines/postgres/postgres-store.js';
import { openBlobStore, type OpenedBlobStore } from './engines/open-blob-store.js';
import type { Bus, SqlStore } from './engines/types.js';
import { createLocalBus } from './engines/local-bus/local-bus.js';
import { createNatsBus, redactBusUrl } from './engines/nats-bus/nats-bus.js';

/** For tools and tests that use a NATS bus (checks). */
export { checkNats } from './engines/nats-bus/check-nats.js';
import { adminCredentialsService, loadOrCreateAdminCredentials, sharedAdminCredentials, type AdminCredentials } from './kernel/admin-credentials.js';
import { createKernel, type KernelRuntime } from './kernel/create-kernel.js';
import { createRequestListener, isHealthProbe } from './kernel/http-dispatch.js';
import { createDatabaseReadiness } from './kernel/database-readiness.js';
import { createUpgradeDispatcher } from './kernel/upgrade-dispatch.js';
import { createLogger } from './kernel/logger.js';
import { makeDataDirPrivate } from './kernel/private-files.js';
import { openSecretBox, SECRET_KEY_FILE } from './kernel/secret-key.js';
import { createSmtpMailSender, smtpServerOf, type MailSender, type SmtpSettings } from './kernel/mail-transport.js';
import type { CloudConfig, ConnectionLimits, ServiceFactory } from './kernel/types.js';
import type { GraphQLLimits } from './services/appsync/graphql-limits.js';
import type { CognitoLimitSettings } from './services/cognito-idp/cognito-limits.js';
import { createConnectionGuard, DEFAULT_CONNECTION_LIMITS } from './kernel/connection-guard.js';
import { acceptPriorKnowledgeHttp2, type PriorKnowledgeHttp2 } from './kernel/prior-knowledge-http2.js';
import { createRequestTurns } from './kernel/request-turns.js';
import { CLOUD_VERSION } from './kernel/version.js';
import { createTrustedProxies } from './kernel/trusted-proxies.js';
import { createApiGatewayService } from './services/apigateway/index.js';
import { createAppSyncService, type AppSyncOptions } from './services/appsync/index.js';
import { createCognitoIdentityService, type CognitoIdentityOptions } from './services/cognito-identity/index.js';
import { createConsoleService, type ConsoleOptions } from './services/console/index.js';
import { createCognitoIdpService, type CognitoIdpOptions } from './services/cognito-idp/index.js';
import type { ProviderEndpointSettings } from './services/cognito-idp/identity-providers.js';
import { createControlService, type ControlOptions } from './services/control/index.js';
import { createDynamoDbService, type DynamoDbOptions } from './services/dynamodb/index.js';
import { createEventsService, type EventsOptions } from './services/events/index.js';
import { createHostingService, type HostingOptions } from './services/hosting/index.js';
import { createIamService } from './services/iam/index.js';
import { createLambdaService, type LambdaOptions } from './services/lambda/index.js';
import { createS3Service } from './services/s3/index.js';
import { createSsmService } from './services/ssm/index.js';
import { createKinesisService } from './services/kinesis/index.js';
import { createRequestLogService, type RequestLogOptions } from './services/request-log/index.js';
import { localCertificate, type LocalCertificate } from './kernel/local-certificate.js';
import { serveWhenCredentialsArrive, type DeferredTls } from './kernel/deferred-tls.js';

/** The database file inside the data dir. */

/**
 * The services a cloud runs unless `createCloud` is given its own list. Their order is the order they
 * start (and the reverse of the order they stop); it decides nothing else: capabilities are looked up by
 * name and routes dispatched by their declared `order`.
 */

/** For tools and tests that manage PostgreSQL databases a cloud uses (checks, throw-away schemas). */
export { checkPostgres, dropPostgresSchema } from './engines/postgres/postgres-store.js';
export const BUILT_IN_SERVICES: readonly ServiceFactory[] = [
  createIamService,
  createCognitoIdpService,
  createCognitoIdentityService,
  createDynamoDbService,
  createAppSyncService,
  createControlService,
  createHostingService,
  createS3Service,
  createSsmService,
  createLambdaService,
  createEventsService,
  createKinesisService,
  createApiGatewayService,
  createConsoleService,
  createRequestLogService,
];

/** The port a cloud listens on when none is given. */
export const DEFAULT_PORT = 20002;

export interface CloudOptions {
  /**
   * Folder for everything the cloud keeps: forte.db, blobs/, admin-credentials.json, secret.key. Created
   * 0700 if missing; at every start its secret files are made 0600 again (logged when repaired).
   */
  dataDir: string;
  /**
   * Where every service keeps its state: a `postgres://user:password@host:5432/database` URL (optionally
   * `?schema=name&pool=10`), which several cloud instances may share, or none for `<dataDir>/forte.db`.
   */
  database?: string | undefined;
  /**
   * The key that seals the secrets kept in the database (32 bytes, base64 or hex; the bin reads
   * FORTE_SECRET_KEY). Default: `<dataDir>/secret.key`, made at first start. A cloud whose key does not
   * open its database refuses to start (SecretKeyError).
   */
  secretKey?: string | undefined;
  /**
   * On close, how long the readiness check (`/_forte/ready`) answers 503 while requests are still served, so a
   * load balancer sends new requests elsewhere first; then the cloud stops listening, closes its WebSockets
   * (1001: clients reconnect through the balancer) and gives requests under way as long again to finish.
   * Default 0.
   */
  drainMs?: number;
  /**
   * Where blobs (objects, site files, code) are kept: `s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true`
   * for S3 or an S3-compatible server (engines/open-blob-store.ts); default the folder `<dataDir>/blobs`.
   */
  blobs?: string | undefined;
  /** Default 20002; 0 picks a free port. */
  port?: number;
  /**
   * Also serve HTTPS on this port (0: a free one), with `<dataDir>/tls/cert.pem`, a self-signed certificate made
   * at the first start (kernel/local-certificate.ts). Browsers need it for the hosted UI: aws-amplify always
   * reaches an OAuth domain with https://. Default: no HTTPS listener (the bin turns it on at 20443).
   */
  httpsPort?: number | undefined;
  /** Listen address, default 127.0.0.1. */
  host?: string;
  /** Default us-east-1. */
  region?: string;
  /** 12 digits; default: generated once per data dir and kept in it. */
  accountId?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where JSON log lines go; default stderr. */
  logStream?: { write(line: string): unknown };
  /**
   * The services to run (default `BUILT_IN_SERVICES`), e.g. `[createIamService, createCognitoIdpService]`
   * for a cloud of user pools alone. The cloud refuses to start when one of them requires a capability that
   * none of them provides. Built-in factories get their settings from the options below; give another
   * service its options in a closure: `(kernel) => createMyService(kernel, { ... })`.
   */
  services?: readonly ServiceFactory[];
  /** Enables test-only fault switches (the control service's); default `process.env.FORTE_TEST_FAULTS === '1'`. */
  testFaults?: boolean;
  /**
   * Also send email (verification, reset and MFA codes, temporary passwords) through this SMTP server.
   * Every message stays in the mailbox either way; SMS messages only ever go to the mailbox.
   */
  smtp?: SmtpSettings;
  /** Limits on GraphQL requests (the AppSync service's); each field defaults to services/appsync/query-limits.ts. */
  graphqlLimits?: Partial<GraphQLLimits>;
  /**
   * The AppSync service's other settings (config.json's `appsync` section): where `@http` fields may call; the
   * clock of DataStore sync windows and tombstone expiry.
   */
  appsync?: Pick<AppSyncOptions, 'http' | 'clock'>;
  /** Limits of the user pools (wrong codes, codes sent, sign-ups, the mailbox); each field defaults to services/cognito-idp/limit-settings.ts. */
  cognitoLimits?: CognitoLimitSettings;
  /** config.json's `identityProviders`: endpoints of the social identity provider types in place of the real ones. */
  identityProviderEndpoints?: ProviderEndpointSettings;
  /** Limits on slow and unauthenticated connections; each field defaults to DEFAULT_CONNECTION_LIMITS. */
  connectionLimits?: Partial<ConnectionLimits>;
  /**
   * On a shared database, how long the instance running a deployment may go without renewing its lease before
   * another instance rolls the deployment back (`control.deploymentLeaseSeconds`); default 15 s.
   */
  deploymentLeaseMs?: number;
  /** How long copies of data deleted by deployments are kept (`deletedData.retentionDays`); default 7 days. */
  deletedDataRetentionMs?: number;
  /** How often the control service finishes the cleanups of deleted environments other instances left; default 60 s. */
  environmentCleanupIntervalMs?: number;
  /** The lambda service's settings (config.json's `lambda` section); each field defaults in services/lambda/lambda-options.ts. */
  lambda?: LambdaOptions;
  /** The events service's settings: tests scale its clock (`timeScale`) instead of writing shorter schedules. */
  events?: EventsOptions;
  /** The dynamodb service's settings (config.json's `dynamodb` section): how often and how far the TTL sweep goes. */
  dynamodb?: DynamoDbOptions;
  /** The hosting service's settings: how long a site lock's lease lasts, how often variants left undone are looked for. */
  hosting?: HostingOptions;
  /** The web console's settings (config.json's `console` section): session and login link lifetimes, the sign-in limit. */
  console?: ConsoleOptions;
  /** The request log's settings (config.json's `requestLog` section): how long and how many rows are kept. */
  requestLog?: RequestLogOptions;
  /**
   * The bus to the other instances sharing this cloud's database: `nats://host:4222` (core NATS; several
   * servers separated by commas). Default: none, the in-process bus of a cloud that runs alone.
   */
  bus?: string | undefined;
  /**
   * The URL clients reach this cloud at when it is not the one it listens on: the load balancer before
   * several instances that share a database, which must all answer as one cloud (token issuers, endpoint
   * URLs handed to functions and templates are made of it). Default: `http://<host>:<port>`.
   */
  publicUrl?: string | undefined;
  /**
   * The load balancers and proxies (IP addresses, CIDR blocks: `10.0.0.5`, `10.0.0.0/8`, `fd00::/8`) whose
   * X-Forwarded-For names the client (`kernel.clientAddress`); their connections are not counted per address.
   * Default: none, so no client can choose its address with the header.
   */
  trustedProxies?: readonly string[] | undefined;
}

export interface Cloud {
  /** Base URL, e.g. `http://127.0.0.1:20002`. */
  url: string;
  port: number;
  /** The HTTPS listener's URL (`https://127.0.0.1:20443`) when `httpsPort` was given. */
  httpsUrl: string | undefined;
  /**
   * Settles once HTTPS serves: the listener takes connections from the start and holds them until its certificate
   * exists (`<dataDir>/tls/cert.pem`, made at a first start). Rejects if it could not be made (HTTPS is then refused).
   */
  httpsReady: Promise<void>;
  kernel: KernelRuntime;
  /** The admin access key of this data dir (also in `<dataDir>/admin-credentials.json`). */
  adminCredentials: AdminCredentials;
  /**
   * A random id of this run, answered by the health check (`/_forte/health`): whoever reads a runtime file
   * naming a pid and a URL can tell this process from a dead one whose pid was reused or is a zombie.
   */
  instance: string;
  /** Stops listening, ends open connections, stops the services and closes the engines. */
  close(): Promise<void>;
}

/** Thrown when the port is taken, with a message fit to print as is. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** Starts a Forte Cloud: the one place that picks engines and assembles the services. */
export async function createCloud(options: CloudOptions): Promise<Cloud> {
  if (options.publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/.test(options.publicUrl))
    throw new Error(`The public URL "${options.publicUrl}" must be a scheme and a host with an optional port, like https://forte.example.com (no path).`);
  const trustedProxies = createTrustedProxies(options.trustedProxies ?? []).entries;
  const host = options.host ?? '127.0.0.1';
  const log = createLogger({ write: (line) => void (options.logStream ?? process.stderr).write(line), level: options.logLevel ?? 'info' });
  const repaired = makeDataDirPrivate(options.dataDir, isEmbeddedDatabase(options.database) ? DATABASE_FILE : undefined);
  if (repaired.length > 0) log.warn('made the data folder private again: others could read it', { repaired });
  // The HTTPS certificate is looked at (and made at a first start, on a thread of its own) once the cloud serves:
  // the HTTPS port holds its first connections until then, and nothing else waits for it.
  const stopCertificate = new AbortController();
  let certificateWork: Promise<LocalCertificate> | undefined;
  let giveCertificate: (work: Promise<LocalCertificate>) => void = () => undefined;
  const certificate = new Promise<LocalCertificate>((resolve) => (giveCertificate = resolve));
  certificate.catch(() => undefined); // a failure is answered where it is awaited (the HTTPS listener)
  const endCertificate = async (): Promise<void> => {
    const reason = new Error('The cloud stopped before its HTTPS certificate was made.');
    stopCertificate.abort(reason);
    const stopped = Promise.reject(reason);
    stopped.catch(() => undefined); // not an unhandled rejection when the certificate was given before
    giveCertificate(stopped);
    await certificateWork?.catch(() => undefined);
  };
  let adminCredentials = loadOrCreateAdminCredentials(options.dataDir);
  const sql = await openSqlStore(options.database, options.dataDir);
  const instance = randomUUID();
  let blobStore: OpenedBlobStore | undefined;
  let server: Server | undefined;
  let http2: PriorKnowledgeHttp2 | undefined;
  let tlsServer: HttpsServer | undefined;
  let deferredTls: DeferredTls | undefined;
  let mail: MailSender | undefined;
  let bus: Bus | undefined;
  try {
    blobStore = await openBlobStore(options.blobs, options.dataDir);
    const blobs = blobStore.store;
    const clusterId = await resolveClusterId(sql);
    bus = await openBus(options.bus, clusterId, (error, subject) => log.error('bus message handler failed', { subject, error }));
    if (bus.shared && options.bus !== undefined) log.info('joined the bus', { bus: redactBusUrl(options.bus) });
    const databaseServer = isEmbeddedDatabase(options.database) ? undefined : redactUrl(options.database);
    const { box: secrets, createdKeyFile } = await openSecretBox({
      dataDir: options.dataDir,
      sql,
      secretKey: options.secretKey,
      server: databaseServer,
    });
    if (createdKeyFile)
      log.info('created the secret key: keep it with backups of the database, which it opens', {
        file: join(options.dataDir, SECRET_KEY_FILE),
        database: databaseServer ?? join(options.dataDir, DATABASE_FILE),
      });
    // Instances sharing a database accept the same admin keys: the first one's, kept in the database.
    if (sql.dialect !== 'sqlite') adminCredentials = await sharedAdminCredentials(sql, secrets, options.dataDir);
    const config: CloudConfig = {
      dataDir: options.dataDir,
      host,
      port: options.port ?? DEFAULT_PORT,
      region: options.region ?? 'us-east-1',
      accountId: await resolveAccountId(sql, options.accountId),
      instance,
      clusterId,
      connectionLimits: { ...DEFAULT_CONNECTION_LIMITS, ...definedFields(options.connectionLimits ?? {}) },
      trustedProxies,
    };
    const limits = config.connectionLimits;
    mail = options.smtp && createSmtpMailSender(options.smtp, log);
    const kernel = createKernel({ config, sql, blobs, bus, log, mail, secrets });
    kernel.addService(adminCredentialsService(adminCredentials));
    const settings = builtInSettings(options);
    for (const create of options.services ?? BUILT_IN_SERVICES) kernel.addService(create(kernel, settings.get(create) as never));
    kernel.checkRequirements();

    // Services start once the port is known (resource handlers compute URLs from it); requests that
    // arrive before every service has started wait for it.
    let draining = false;
    const databaseReady = createDatabaseReadiness({ probe: () => sql.get('SELECT 1 AS one') });
    const engines = { database: sql.dialect, blobs: options.blobs ? 's3' : 'folder', bus: options.bus ? 'nats' : 'none' };
    const listener = createRequestListener(kernel, {
      version: CLOUD_VERSION,
      instance,
      engines,
      readiness: () => {
        if (!started) return Promise.resolve({ ready: false, reason: 'starting' });
        if (draining) return Promise.resolve({ ready: false, reason: 'stopping' });
        return databaseReady();
      },
    });
    let started = false;
    let markStarted = (): void => undefined;
    const startedSignal = new Promise<void>((resolve) => (markStarted = resolve));
    // Slow clients: node ends a request whose headers (or whole body) take too long, checked every
    // quarter of the headers timeout; the guard caps the connections one address keeps waiting.
    const guard = createConnectionGuard({
      maxPendingPerAddress: limits.maxPendingConnectionsPerAddress,
      maxIdlePerAddress: limits.maxIdleConnectionsPerAddress,
      isTrustedProxy: kernel.isTrustedProxy,
      onRefused: (address) =>
        log.warn('connection refused: too many pending connections from one address', { address, limit: limits.maxPendingConnectionsPerAddress }),
    });
    // Under load, requests wait for later event-loop turns rather than make one turn serve them all, so
    // new connections are still accepted (node accepts one per turn).
    const turns = createRequestTurns({ maxQueued: limits.maxQueuedRequests });
    const serverOptions = {
      // Node's 5 s default equals the free-socket timeout of client agents: one reusing a socket as the
      // cloud closes it gets ECONNRESET. (node ≥ 18 times headers from a request's first byte, so an idle
      // keep-alive connection needs no headers timeout longer than this one.)
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // node refuses a headers timeout longer than a (non-zero) request timeout.
      headersTimeout: limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(5000, Math.max(250, Math.floor(limits.headersTimeoutMs / 4))),
    };
    const serve = (req: IncomingMessage, res: ServerResponse): void => {
      // Health and readiness checks are answered ahead of the queue (see isHealthProbe).
      if (started && isHealthProbe(req)) listener(req, res);
      else if (started)
        turns.dispatch(
          () => listener(req, res),
          () => listener.refuse(req, res),
        );
      else void startedSignal.then(() => listener(req, res));
    };
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      guard.requestStarted(req.socket);
      if (limits.maxIdleConnectionsPerAddress > 0) res.once('finish', () => guard.responseFinished(req.socket));
      serve(req, res);
    };
    server = createServer(serverOptions, onRequest);
    // HTTP/2 without TLS on the same port (the SDK's Kinesis client in Node): the connection guard counts such a
    // connection until its preface arrives; its requests then go the way of HTTP/1 ones.
    http2 = acceptPriorKnowledgeHttp2(server, {
      onRequest: serve,
      firstBytesTimeoutMs: serverOptions.headersTimeout,
      idleTimeoutMs: limits.keepAliveTimeoutMs,
      maxSessionsPerAddress: limits.maxIdleConnectionsPerAddress,
      isTrustedProxy: kernel.isTrustedProxy,
      onHttp2Connection: (socket) => guard.requestStarted(socket),
    });
    server.on('connection', guard.onConnection);
    const upgrade = createUpgradeDispatcher(kernel);
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      guard.requestStarted(req.socket);
      if (started) upgrade(req, socket, head);
      else void startedSignal.then(() => upgrade(req, socket, head));
    };
    server.on('upgrade', onUpgrade);
    const port = await listen(server, config.port, host);
    config.port = port;
    const url = `http://${urlHost(host)}:${port}`;
    let httpsUrl: string | undefined;
    if (options.httpsPort !== undefined) {
      // The port takes connections at once; they wait for the certificate (made at a first start on a thread of its
      // own), so neither the HTTP port nor createCloud waits for it.
      tlsServer = createHttpsServer(serverOptions, onRequest);
      deferredTls = serveWhenCredentialsArrive(
        tlsServer,
        certificate.then((tls) => {
          if (tls.created) log.info('made the HTTPS certificate: trust it once in browsers that open the hosted UI', { file: tls.file });
          return tls;
        }),
      );
      deferredTls.ready.catch((error: unknown) => {
        if (!draining) log.error('HTTPS is refused: its certificate could not be made', { error });
      });
      tlsServer.on('secureConnection', guard.onConnection);
      tlsServer.on('upgrade', onUpgrade);
      const httpsPort = await listen(tlsServer, options.httpsPort, host).catch((error: unknown) => {
        if (error instanceof PortInUseError)
          throw new PortInUseError(
            `HTTPS port ${options.httpsPort} on ${host} is already in use: stop what uses it or pick another with --https-port (off: no HTTPS).`,
          );
        throw error;
      });
      httpsUrl = `https://${urlHost(host)}:${httpsPort}`;
    }
    kernel.setListening({ port, baseUrl: options.publicUrl?.replace(/\/+$/, '') ?? url, httpsBaseUrl: httpsUrl });
    for (const service of kernel.services) await service.start?.();
    started = true;
    markStarted();
    if (options.httpsPort !== undefined)
      setImmediate(() => {
        if (!stopCertificate.signal.aborted) giveCertificate((certificateWork = localCertificate(options.dataDir, host, stopCertificate.signal)));
      });
    log.info('listening', {
      url,
      ...(httpsUrl !== undefined ? { httpsUrl } : {}),
      dataDir: options.dataDir,
      blobs: blobStore.location,
      version: CLOUD_VERSION,
      ...(trustedProxies.length > 0 ? { trustedProxies: trustedProxies.join(',') } : {}),
      ...(options.smtp ? { smtpServer: smtpServerOf(options.smtp.url), mailFrom: options.smtp.from } : {}),
    });

    const listeningServer = server;
    const listeningHttp2 = http2;
    const listeningTls = tlsServer;
    const openedTls = deferredTls;
    const openedBlobs = blobStore;
    const openedBus = bus;
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      httpsUrl,
      httpsReady: deferredTls?.ready ?? Promise.resolve(),
      kernel,
      instance,
      adminCredentials,
      close: () =>
        (closing ??= (async () => {
          draining = true;
          // HTTPS connections still waiting for a certificate are ended, and later ones refused: a closing cloud
          // stops making it (close would otherwise wait for connections that never get a handshake).
          const certificateEnded = endCertificate();
          openedTls?.dropWaiting();
          const drainMs = options.drainMs ?? 0;
          if (drainMs) await new Promise((resolve) => setTimeout(resolve, drainMs));
          // No new connections; idle keep-alive ones end now, each busy one once its response is sent. Requests
          // still under way get drainMs more to finish before their connections are cut.
          listeningHttp2?.closeIdle();
          const served = Promise.all([
            new Promise<void>((resolve) => listeningServer.close(() => resolve())),
            new Promise<void>((resolve) => (listeningTls ? listeningTls.close(() => resolve()) : resolve())),
          ]).then(() => undefined);
          await Promise.all([
            Promise.race([served, new Promise((resolve) => setTimeout(resolve, drainMs).unref())]).then(() => {
              listeningServer.closeAllConnections();
              listeningHttp2?.closeAll();
              listeningTls?.closeAllConnections();
            }),
            upgrade.closeAll(), // upgraded sockets keep close() waiting until they end
          ]);
          await served;
          for (const service of [...kernel.services].reverse()) {
            try {
              await service.stop?.();
            } catch (error) {
              log.error('service stop failed', { service: service.name, error });
            }
          }
          await mail?.close();
          openedBlobs.close();
          await openedBus.close();
          await sql.close();
          await certificateEnded;
        })()),
    };
  } catch (error) {
    server?.closeAllConnections();
    http2?.closeAll();
    server?.close();
    deferredTls?.dropWaiting();
    tlsServer?.closeAllConnections();
    tlsServer?.close();
    await mail?.close();
    blobStore?.close();
    await bus?.close();
    await sql.close();
    await endCertificate();
    throw error;
  }
}

/** Refused copies: the message names the problem and what to do. */
export class CopyDataError extends Error {
  override readonly name = 'CopyDataError';
}

/**
 * Moves a stopped embedded cloud's data (`<dataDir>/forte.db`) into an empty PostgreSQL database: a first
 * start of this cloud on the target creates every table, then each table is replaced by the data folder's
 * rows in one transaction. The data folder is only read. Its secret key (`secret.key` or `secretKey`) opens
 * the copied secrets: the instances on the target need it as FORTE_SECRET_KEY.
 */
export async function copyDataToDatabase(options: { dataDir: string; database: string; secretKey?: string | undefined }): Promise<CopiedTables> {
  if (!/^postgres(ql)?:\/\//.test(options.database))
    throw new CopyDataError(`Copies go to a PostgreSQL database: give a postgres:// URL, not "${redactUrl(options.database)}".`);
  const file = join(options.dataDir, DATABASE_FILE);
  if (!existsSync(file)) throw new CopyDataError(`${file} does not exist: give the --data-dir of the cloud to copy.`);
  if (!(await postgresSchemaIsEmpty(options.database)))
    throw new CopyDataError(
      `The database ${redactUrl(options.database)} already holds tables: copy into an empty database (or a new ?schema=name) so that nothing there is overwritten.`,
    );
  try {
    // A first start on the target runs every migration, as the instances will; nothing listens for long.
    const cloud = await createCloud({ dataDir: options.dataDir, database: options.database, secretKey: options.secretKey, port: 0, logLevel: 'warn' });
    await cloud.close();
    const target = await openPostgresStore(options.database);
    try {
      const copied = await copyEmbeddedDatabase(file, target);
      await resetIdentitySequences(target);
      return copied;
    } finally {
      await target.close();
    }
  } catch (error) {
    // The schema was empty: leave it so, and a second attempt can start again.
    await dropPostgresTables(options.database).catch(() => undefined);
    throw error;
  }
}

/**
 * Copies every blob of a data folder (`<dataDir>/blobs`) into the blob store `blobs` names (an s3:// URL),
 * under the same ids, streaming each. Blobs already there are written again, so a copy cut off can be run again.
 */
export async function copyBlobsTo(options: { dataDir: string; blobs: string }): Promise<{ count: number; bytes: number }> {
  const folder = join(options.dataDir, 'blobs');
  const target = await openBlobStore(options.blobs, options.dataDir);
  let count = 0;
  let bytes = 0;
  try {
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        if (prefix === '' && entry.name === '.tmp') continue; // writes that never finished
        const id = `${prefix}${entry.name}`;
        if (entry.isDirectory()) await walk(join(dir, entry.name), `${id}/`);
        else if (entry.isFile()) {
          bytes += (await target.store.put(id, createReadStream(join(dir, entry.name)), { digests: [] })).size;
          count += 1;
        }
      }
    };
    await walk(folder, '');
  } finally {
    target.close();
  }
  return { count, bytes };
}

/** The bus a `bus` option names: NATS for a URL, the in-process bus without one. */
function openBus(url: string | undefined, clusterId: string, onError: (error: unknown, subject: string) => void): Promise<Bus> {
  if (url === undefined) return Promise.resolve(createLocalBus({ onError }));
  return createNatsBus({ url, name: 'forte-cloud', prefix: `forte.${clusterId}`, onError });
}

/** The options of each built-in service, from the cloud's options (config.json's sections, through the bin). */
function builtInSettings(options: CloudOptions): ReadonlyMap<ServiceFactory, unknown> {
  return new Map<ServiceFactory, unknown>([
    [createAppSyncService, { limits: options.graphqlLimits, ...options.appsync } satisfies AppSyncOptions],
    [createCognitoIdpService, { limits: options.cognitoLimits, identityProviderEndpoints: options.identityProviderEndpoints } satisfies CognitoIdpOptions],
    [createCognitoIdentityService, { loginProviderEndpoints: options.identityProviderEndpoints } satisfies CognitoIdentityOptions],
    [createDynamoDbService, { ...options.dynamodb } satisfies DynamoDbOptions],
    [createHostingService, { ...options.hosting } satisfies HostingOptions],
    [createLambdaService, { ...options.lambda } satisfies LambdaOptions],
    [createEventsService, { ...options.events } satisfies EventsOptions],
    [createConsoleService, { ...options.console } satisfies ConsoleOptions],
    [createRequestLogService, { ...options.requestLog } satisfies RequestLogOptions],
    [
      createControlService,
      {
        testFaults: options.testFaults ?? process.env.FORTE_TEST_FAULTS === '1',
        deletedDataRetentionMs: options.deletedDataRetentionMs,
        deploymentLeaseMs: options.deploymentLeaseMs,
        environmentCleanupIntervalMs: options.environmentCleanupIntervalMs,
      } satisfies ControlOptions,
    ],
  ]);
}

const KERNEL_MIGRATIONS = ['CREATE TABLE kernel_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)'];

/**
 * The id of the cluster this database belongs to, made at its first start: the instances sharing the
 * database share it, and it scopes their bus subjects, so clusters sharing one NATS server stay apart.
 */
async function resolveClusterId(sql: SqlStore): Promise<string> {
  await sql.migrate('kernel', KERNEL_MIGRATIONS);
  return sql.transaction(async (tx) => {
    const row = await tx.get<{ value: string }>("SELECT value FROM kernel_settings WHERE name = 'clusterId'");
    if (row) return row.value;
    const clusterId = randomBytes(8).toString('hex');
    await tx.run("INSERT INTO kernel_settings (name, value) VALUES ('clusterId', ?)", [clusterId]);
    return clusterId;
  });
}

async function resolveAccountId(sql: SqlStore, requested: string | undefined): Promise<string> {
  if (requested !== undefined && !/^[0-9]{12}$/.test(requested)) throw new Error(`accountId must be 12 digits, got ${JSON.stringify(requested)}`);
  await sql.migrate('kernel', KERNEL_MIGRATIONS);
  return sql.transaction(async (tx) => {
    const row = await tx.get<{ value: string }>("SELECT value FROM kernel_settings WHERE name = 'accountId'");
    if (row && requested === undefined) return row.value;
    const accountId = requested ?? String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(10)).join('');
    if (!row) await tx.run("INSERT INTO kernel_settings (name, value) VALUES ('accountId', ?)", [accountId]);
    return accountId;
  });
}

/** The fields of `value` that are set (an explicit `undefined` does not override a default). */
function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE')
        reject(new PortInUseError(`Port ${port} on ${host} is already in use: stop what uses it or pick another port with --port.`, { cause: error }));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
