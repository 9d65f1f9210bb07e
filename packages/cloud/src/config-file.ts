import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { blobStoreSpecProblem } from './engines/open-blob-store.js';
import { smtpUrlProblem, type SmtpSettings } from './kernel/mail-transport.js';
import { trustedProxyProblem } from './kernel/trusted-proxies.js';
import type { ConnectionLimits } from './kernel/types.js';
import type { GraphQLLimits } from './services/appsync/graphql-limits.js';
import type { HttpResolverSettings } from './services/appsync/http-resolver.js';
import type { CognitoLimitSettings } from './services/cognito-idp/cognito-limits.js';
import type { ProviderEndpointSettings } from './services/cognito-idp/identity-providers.js';
import type { ConsoleOptions } from './services/console/index.js';
import type { DynamoDbOptions } from './services/dynamodb/index.js';
import type { LambdaOptions } from './services/lambda/lambda-options.js';
import type { RequestLogOptions } from './services/request-log/index.js';

/**
 * `<dataDir>/config.json`: settings that live with a cloud's data, so that `forte cloud start` (which
 * starts the bin on `$FORTE_HOME/cloud`) picks them up: `{ "database": "postgres://…", "bus": "nats://127.0.0.1:4222", "publicUrl": "https://forte.example.com", "trustedProxies": ["10.0.0.0/8"], "control": { "deploymentLeaseSeconds": 15 }, "smtp": { "url": …, "from": … }, "graphql":
 * { "maxQueryBytes": …, "maxQueryDepth": …, … }, "cognito": { "codeAttempts": { "perUser": …, … }, … },
 * "connections": { "headersTimeoutMs": …, "requestTimeoutMs": …, "keepAliveTimeoutMs": …, "maxPendingConnectionsPerAddress": …, "maxIdleConnectionsPerAddress": …,
 * "maxUnauthenticatedUpgradesPerAddress": …, "realtimeInitTimeoutMs": …, "maxQueuedRequests": … }, "deletedData": { "retentionDays": 7 },
 * "lambda": { "concurrencyLimit": 100, "idleSeconds": 300, "logRetentionDays": 30, "cacheDir": …, "allowDownloads": true,
 * "eventRetryDelaysSeconds": [60, 120], "eventLeaseSeconds": 30, "eventSourceLeaseSeconds": 15 }, "dynamodb": { "ttlSweepIntervalMs": 5000, "ttlSweepItems": 1000 },
 * "console": { "sessionHours": 12, "loginLinkMinutes": 10, "maxSignInFailures": 10 }, "requestLog": { "keepHours": 24, "maxRows": 100000 },
 * "appsync": { "http": { "timeoutMs": 10000, "maxResponseBytes": 5242880, "default": "allow", "allowHosts": [],
 * "denyHosts": ["*.internal"] } }, "blobs": "s3://bucket/prefix?endpoint=…" }`
 * (blobs: where blobs are kept, default the folder `<dataDir>/blobs`, engines/open-blob-store.ts; deletedData: how long copies of data that deployments delete are kept, 0 keeps none; lambda: the functions'
 * concurrent executions, seconds a warm process is kept, days logs are kept without a LogGroup's RetentionInDays,
 * where Node releases and SDK modules are cached (default FORTE_CACHE_DIR, else $XDG_CACHE_HOME/forte or
 * ~/.cache/forte), whether they may be downloaded, the delays before the two retries of a failed Event
 * invocation, how long an instance's claim on one lasts: services/lambda/lambda-options.ts; every GraphQL limit of
 * kernel/types.ts GraphQLLimits; appsync.http: where `@http` fields may call and how long they may wait,
 * services/appsync/http-resolver.ts; the user pools' limits, CognitoLimits, and ConnectionLimits there too).
 */
const CONFIG_FILE = 'config.json';

/** A setting is wrong; the message names the file (or variable) and the field, and is fit to print. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const count = z.number().int().min(1).max(1_000_000);
const httpUrl = z.url({ protocol: /^https?$/ });
/** A social provider type's endpoints (ProviderDetails' names); its client ids and secrets stay on the provider. */
const providerEndpoints = z.strictObject({
  authorize_url: httpUrl.optional(),
  token_url: httpUrl.optional(),
  token_request_method: z.enum(['GET', 'POST']).optional(),
  attributes_url: httpUrl.optional(),
  attributes_url_add_attributes: z.enum(['true', 'false']).optional(),
  oidc_issuer: httpUrl.optional(),
  jwks_uri: httpUrl.optional(),
  // Where identity pools check Facebook's and Login with Amazon's access tokens (SupportedLoginProviders).
  graph_url: httpUrl.optional(),
  tokeninfo_url: httpUrl.optional(),
});
const seconds = z
  .number()
  .int()
  .min(1)
  .max(30 * 86_400);
const attemptLimit = z.strictObject({
  perUser: count.optional(),
  perAddress: count.optional(),
  windowSeconds: seconds.optional(),
  lockSeconds: seconds.optional(),
});

const configSchema = z.strictObject({
  database: z.string().min(1).optional(),
  bus: z.string().min(1).optional(),
  publicUrl: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+\/?$/)
    .optional(),
  trustedProxies: z.array(z.string()).max(1000).optional(),
  httpsPort: z.union([z.number().int().min(0).max(65535), z.literal('off')]).optional(),
  control: z.strictObject({ deploymentLeaseSeconds: z.number().min(1).max(3600).optional() }).optional(),
  blobs: z.string().optional(),
  smtp: z.strictObject({ url: z.string().optional(), from: z.string().optional() }).optional(),
  connections: z
    .strictObject({
      headersTimeoutMs: z.number().int().min(1000).max(600_000).optional(),
      requestTimeoutMs: z
        .number()
        .int()
        .min(0)
        .max(24 * 3_600_000)
        .optional(),
      keepAliveTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
      maxPendingConnectionsPerAddress: z.number().int().min(0).max(1_000_000).optional(),
      maxIdleConnectionsPerAddress: z.number().int().min(0).max(1_000_000).optional(),
      maxUnauthenticatedUpgradesPerAddress: z.number().int().min(0).max(1_000_000).optional(),
      realtimeInitTimeoutMs: z.number().int().min(1000).max(600_000).optional(),
      maxQueuedRequests: z.number().int().min(1).max(1_000_000).optional(),
    })
    .optional(),
  graphql: z
    .strictObject({
      maxQueryBytes: z
        .number()
        .int()
        .min(1024)
        .max(10 * 1024 * 1024)
        .optional(),
      maxQueryDepth: z.number().int().min(2).max(100).optional(),
      maxQueryTokens: z.number().int().min(100).max(1_000_000).optional(),
      maxQueryFields: z.number().int().min(10).max(100_000).optional(),
      maxFieldRepeats: z.number().int().min(1).max(1_000).optional(),
      maxResolverCalls: z.number().int().min(1).max(1_000_000).optional(),
      maxItemsRead: z.number().int().min(1).max(100_000_000).optional(),
      maxResultFields: z.number().int().min(100).max(100_000_000).optional(),
      maxFilterTerms: z.number().int().min(1).max(100_000).optional(),
      maxFilterDepth: z.number().int().min(1).max(100).optional(),
      maxSubscriptionsPerConnection: z.number().int().min(1).max(10_000).optional(),
    })
    .optional(),
  appsync: z
    .strictObject({
      http: z
        .strictObject({
          timeoutMs: z.number().int().min(100).max(300_000).optional(),
          maxResponseBytes: z
            .number()
            .int()
            .min(1024)
            .max(100 * 1024 * 1024)
            .optional(),
          default: z.enum(['allow', 'deny']).optional(),
          allowHosts: z.array(z.string().min(1)).max(1000).optional(),
          denyHosts: z.array(z.string().min(1)).max(1000).optional(),
        })
        .optional(),
    })
    .optional(),
  deletedData: z.strictObject({ retentionDays: z.number().min(0).max(3650).optional() }).optional(),
  lambda: z
    .strictObject({
      concurrencyLimit: z.number().int().min(1).max(10_000).optional(),
      idleSeconds: z.number().int().min(0).max(86_400).optional(),
      logRetentionDays: z.number().int().min(1).max(3653).optional(),
      cacheDir: z.string().min(1).optional(),
      allowDownloads: z.boolean().optional(),
      eventRetryDelaysSeconds: z.array(z.number().min(0).max(21_600)).max(2).optional(),
      eventLeaseSeconds: z.number().min(0.3).max(3600).optional(),
      eventSourceLeaseSeconds: z.number().min(1).max(3600).optional(),
    })
    .optional(),
  console: z
    .strictObject({
      sessionHours: z
        .number()
        .min(0.1)
        .max(24 * 30)
        .optional(),
      loginLinkMinutes: z.number().min(1).max(60).optional(),
      maxSignInFailures: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  requestLog: z
    .strictObject({
      keepHours: z
        .number()
        .min(0.01)
        .max(24 * 366)
        .optional(),
      maxRows: z.number().int().min(100).max(100_000_000).optional(),
    })
    .optional(),
  dynamodb: z
    .strictObject({
      ttlSweepIntervalMs: z.number().int().min(10).max(3_600_000).optional(),
      ttlSweepItems: z.number().int().min(1).max(1_000_000).optional(),
    })
    .optional(),
  cognito: z
    .strictObject({
      codeAttempts: attemptLimit.optional(),
      passwordChanges: attemptLimit.optional(),
      codeSends: z.strictObject({ perUser: count.optional(), perAddress: count.optional(), windowSeconds: seconds.optional() }).optional(),
      signIns: z.strictObject({ perUser: count.optional(), perAddress: count.optional(), windowSeconds: seconds.optional() }).optional(),
      signUps: z.strictObject({ perAddress: count.optional(), windowSeconds: seconds.optional() }).optional(),
      mailbox: z.strictObject({ perRecipient: count.optional(), perPool: count.optional(), total: count.optional() }).optional(),
      triggers: z.strictObject({ timeoutSeconds: z.number().min(0.1).max(30).optional() }).optional(),
    })
    .optional(),
  // Endpoints of the social identity providers in place of the real ones (a company's proxy, a local IdP).
  identityProviders: z
    .strictObject(Object.fromEntries(['Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'].map((type) => [type, providerEndpoints.optional()])))
    .optional(),
});

export interface CloudSettings {
  /** The database URL (`database`, or FORTE_DATABASE, which wins); none is the embedded SQLite file. */
  database?: string;
  deploymentLeaseMs?: number;
  /** Where blobs are kept (`--blobs`): an s3:// URL, or none for the data folder. */
  blobs?: string;
  smtp?: SmtpSettings;
  graphqlLimits?: Partial<GraphQLLimits>;
  cognitoLimits?: CognitoLimitSettings;
  /** config.json's `identityProviders`. */
  identityProviderEndpoints?: ProviderEndpointSettings;
  connectionLimits?: Partial<ConnectionLimits>;
  deletedDataRetentionMs?: number;
  lambda?: LambdaOptions;
  dynamodb?: DynamoDbOptions;
  console?: ConsoleOptions;
  requestLog?: RequestLogOptions;
  appsync?: { http?: Partial<HttpResolverSettings> };
  /** The bus to the other instances sharing the database (`nats://…`): FORTE_BUS, else config.json's `bus`. */
  bus?: string;
  /** The cluster's URL (its load balancer): FORTE_PUBLIC_URL, else config.json's `publicUrl`. */
  publicUrl?: string;
  /** Proxies whose X-Forwarded-For is believed: FORTE_TRUSTED_PROXIES (comma-separated), else config.json's `trustedProxies`. */
  trustedProxies?: string[];
  /** config.json's `httpsPort` (a port, or `off`); `forte-cloud --https-port` wins. Default: the HTTP port + 441. */
  httpsPort?: number | 'off';
}

/**
 * Reads `<dataDir>/config.json` (a missing file is no settings) and the environment, which wins field
 * by field: `FORTE_DATABASE`, `FORTE_PUBLIC_URL`, `FORTE_TRUSTED_PROXIES`, `FORTE_BUS`, `FORTE_SMTP_URL`, `FORTE_SMTP_FROM`, `FORTE_BLOBS`. Errors never quote the
 * file's content or the URLs: they may hold the SMTP password, the database's or the blob store's secret.
 */
export function readCloudSettings(dataDir: string, env: NodeJS.ProcessEnv): CloudSettings {
  const file = join(dataDir, CONFIG_FILE);
  const config = readConfigFile(file);
  const envUrl = env.FORTE_SMTP_URL || undefined;
  const envFrom = env.FORTE_SMTP_FROM || undefined;
  const url = envUrl ?? config.smtp?.url;
  const from = envFrom ?? config.smtp?.from;
  const database = env.FORTE_DATABASE || config.database;
  const blobs = env.FORTE_BLOBS || config.blobs || undefined;
  if (blobs !== undefined) {
    const problem = blobStoreSpecProblem(blobs);
    if (problem) throw new ConfigError(`${env.FORTE_BLOBS ? 'FORTE_BLOBS' : `${file}: blobs`}: ${problem}.`);
  }
  const limits = {
    ...(database ? { database } : {}),
    ...(config.control?.deploymentLeaseSeconds === undefined ? {} : { deploymentLeaseMs: config.control.deploymentLeaseSeconds * 1000 }),
    ...(blobs === undefined ? {} : { blobs }),
    ...(config.graphql ? { graphqlLimits: config.graphql } : {}),
    ...(config.cognito ? { cognitoLimits: config.cognito } : {}),
    ...(config.identityProviders ? { identityProviderEndpoints: config.identityProviders as ProviderEndpointSettings } : {}),
    ...(config.connections ? { connectionLimits: config.connections } : {}),
    ...(config.deletedData?.retentionDays === undefined ? {} : { deletedDataRetentionMs: config.deletedData.retentionDays * 86_400_000 }),
    ...(config.lambda ? { lambda: config.lambda } : {}),
    ...(config.dynamodb ? { dynamodb: config.dynamodb } : {}),
    ...(config.console ? { console: consoleSettings(config.console) } : {}),
    ...(config.requestLog ? { requestLog: requestLogSettings(config.requestLog) } : {}),
    ...(config.appsync ? { appsync: config.appsync } : {}),
    ...(config.httpsPort === undefined ? {} : { httpsPort: config.httpsPort }),
    ...busSetting(config.bus, env),
    ...publicUrlSetting(config.publicUrl, env),
    ...trustedProxiesSetting(config.trustedProxies, env, file),
  };
  if (url === undefined && from === undefined) return limits;

  const urlSource = envUrl !== undefined ? 'FORTE_SMTP_URL' : `${file}: smtp.url`;
  const fromSource = envFrom !== undefined ? 'FORTE_SMTP_FROM' : `${file}: smtp.from`;
  if (url === undefined)
    throw new ConfigError(`Email delivery needs an SMTP server: set smtp.url in ${file} or FORTE_SMTP_URL (like smtp://user:password@host:587).`);
  if (from === undefined)
    throw new ConfigError(`Email delivery needs a From address: set smtp.from in ${file} or FORTE_SMTP_FROM (like "Forte <no-reply@example.com>").`);
  const problem = smtpUrlProblem(url);
  if (problem) throw new ConfigError(`${urlSource} ${problem}.`);
  if (!/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(from.trim()))
    throw new ConfigError(`${fromSource} must be an email address, like no-reply@example.com or "Forte <no-reply@example.com>".`);
  return { smtp: { url, from: from.trim() }, ...limits };
}

/** `FORTE_BUS` wins over config.json's `bus`; `forte-cloud --bus` wins over both. */
function busSetting(configured: string | undefined, env: NodeJS.ProcessEnv): { bus?: string } {
  const bus = env.FORTE_BUS || configured;
  return bus === undefined ? {} : { bus };
}

/** `FORTE_PUBLIC_URL` wins over config.json's `publicUrl`; `forte-cloud --public-url` wins over both. */
function publicUrlSetting(configured: string | undefined, env: NodeJS.ProcessEnv): { publicUrl?: string } {
  const publicUrl = env.FORTE_PUBLIC_URL || configured;
  if (publicUrl === undefined) return {};
  if (!/^https?:\/\/[^/?#\s]+\/?$/.test(publicUrl))
    throw new ConfigError(`FORTE_PUBLIC_URL must be the cluster's base URL, like https://forte.example.com (no path), not "${publicUrl}".`);
  return { publicUrl };
}

/**
 * `FORTE_TRUSTED_PROXIES` (addresses and CIDR blocks separated by commas) wins over config.json's
 * `trustedProxies`; `forte-cloud --trusted-proxies` wins over both. An entry that is neither is refused, named.
 */
function trustedProxiesSetting(configured: string[] | undefined, env: NodeJS.ProcessEnv, file: string): { trustedProxies?: string[] } {
  const fromEnv = env.FORTE_TRUSTED_PROXIES?.trim() ? env.FORTE_TRUSTED_PROXIES : undefined;
  const entries = fromEnv !== undefined ? splitTrustedProxies(fromEnv) : configured?.map((entry) => entry.trim());
  if (entries === undefined) return {};
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem)
      throw new ConfigError(
        fromEnv !== undefined
          ? `FORTE_TRUSTED_PROXIES: ${problem} (separate several with commas).`
          : `${file}: trustedProxies: ${problem} (the field takes a list: "trustedProxies": ["10.0.0.0/8"]).`,
      );
  }
  return { trustedProxies: entries };
}

/** A comma-separated list of trusted proxies (FORTE_TRUSTED_PROXIES, `--trusted-proxies`), blanks around entries ignored. */
export function splitTrustedProxies(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function readConfigFile(file: string): z.infer<typeof configSchema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not the parser's message: recent Node versions quote the text, and it may hold a password.
    throw new ConfigError(`${file} is not valid JSON: fix it (it takes { "smtp": { "url": …, "from": … } }) or remove it.`);
  }
  const parsed = configSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const unknown = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => (field ? `${field}.${key}` : key)).join(', ') : undefined;
  throw new ConfigError(
    unknown !== undefined
      ? `${file}: unknown field ${unknown}; the file takes { "smtp": { "url": …, "from": … } }.`
      : `${file}: ${field || 'the file'} must be ${issue.code === 'invalid_type' ? `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}` : 'as in { "smtp": { "url": …, "from": … } }'}.`,
  );
}

/** The web console's section in the units people write (hours, minutes), as the service takes them. */
function consoleSettings(section: {
  sessionHours?: number | undefined;
  loginLinkMinutes?: number | undefined;
  maxSignInFailures?: number | undefined;
}): ConsoleOptions {
  return {
    ...(section.sessionHours === undefined ? {} : { sessionMs: section.sessionHours * 3_600_000 }),
    ...(section.loginLinkMinutes === undefined ? {} : { loginLinkMs: section.loginLinkMinutes * 60_000 }),
    ...(section.maxSignInFailures === undefined ? {} : { maxSignInFailures: section.maxSignInFailures }),
  };
}

/** The request log's section in the units people write (hours), as the service takes them. */
function requestLogSettings(section: { keepHours?: number | undefined; maxRows?: number | undefined }): RequestLogOptions {
  return {
    ...(section.keepHours === undefined ? {} : { keepMs: section.keepHours * 3_600_000 }),
    ...(section.maxRows === undefined ? {} : { maxRows: section.maxRows }),
  };
}
