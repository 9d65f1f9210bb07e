import type { ConditionContext } from './iam-conditions.js';
import type { BlobStore, Bus, SqlStore } from '../engines/types.js';
import { CREDENTIAL_PROVIDERS, POLICY_SOURCES, TRUST_POLICY_SOURCES } from './capabilities.js';
import { CapabilityError, type AnyCapability, type Capability } from './capability.js';
import { clientAddressOf, resolveClient } from './client-address.js';
import { createAuthorizer, createTrustChecker } from './iam-lite.js';
import { insertByOrder } from './route-order.js';
import { chainedCredentials, verifySignedHeaders } from './sigv4.js';
import type { Logger } from './logger.js';
import type { MailSender } from './mail-transport.js';
import type { SecretBox } from './secret-box.js';
import { createTrustedProxies, normaliseAddress } from './trusted-proxies.js';
import type { CloudConfig, CredentialProvider, DenyCode, Kernel, Principal, ResourceHandler, Route, Service, UpgradeRoute } from './types.js';

/** The kernel as the composition root and the HTTP dispatcher see it: services can only see `Kernel`. */
export interface KernelRuntime extends Kernel {
  /**
   * Registers a service: its routes join the dispatch order (by `Route.order`), its resource types the
   * handler table, what it provides the capabilities. Throws CapabilityError when it provides a single
   * capability another service already provides.
   */
  addService(service: Service): void;
  /**
   * Throws CapabilityError naming each service and the capability it requires that no registered service
   * provides. The composition root calls it once every service is added, before any starts.
   */
  checkRequirements(): void;
  readonly services: readonly Service[];
  /** The routes that match on the raw request, tried before the URL is parsed, by `order`. */
  readonly rawRoutes: readonly Route[];
  /** The routes that match on the parsed URL, by `order`. */
  readonly urlRoutes: readonly Route[];
  /** The upgrade (WebSocket) handlers of every service, in registration order. */
  readonly upgradeRoutes: readonly UpgradeRoute[];
  authorize(principal: Principal, action: string, resource: string, denyCode?: DenyCode, context?: ConditionContext): Promise<void>;
  /** Whether a socket's address is one of the trusted proxies (`CloudConfig.trustedProxies`). */
  isTrustedProxy(address: string | undefined): boolean;
  /** Called once the server listens. */
  setListening(address: { port: number; baseUrl: string; httpsBaseUrl?: string | undefined }): void;
  /** Set by the request listener (`createRequestListener`), which does what `dispatchAs` asks. */
  setDispatchAs(dispatch: Kernel['dispatchAs']): void;
}

export function createKernel(options: {
  config: CloudConfig;
  sql: SqlStore;
  blobs: BlobStore;
  bus: Bus;
  log: Logger;
  mail?: MailSender | undefined;
  secrets: SecretBox;
}): KernelRuntime {
  const services: Service[] = [];
  const rawRoutes: Route[] = [];
  const urlRoutes: Route[] = [];
  const upgradeRoutes: UpgradeRoute[] = [];
  const handlers = new Map<string, ResourceHandler>();
  // Capability name → the values provided and the services that provided them, in registration order.
  // The value arrays are kept (never replaced), so the kernel's own consumers below can hold them.
  const provided = new Map<string, { values: unknown[]; by: string[] }>();
  const providersOf = (capability: AnyCapability): { values: unknown[]; by: string[] } => {
    let entry = provided.get(capability.name);
    if (!entry) provided.set(capability.name, (entry = { values: [], by: [] }));
    return entry;
  };
  const live = <T>(capability: AnyCapability): readonly T[] => providersOf(capability).values as T[];
  const credentialProviders = live<CredentialProvider>(CREDENTIAL_PROVIDERS);
  const authorize = createAuthorizer(live(POLICY_SOURCES));
  const checkRoleTrust = createTrustChecker(live(TRUST_POLICY_SOURCES));
  let listening: { port: number; baseUrl: string; httpsBaseUrl?: string | undefined } | undefined;
  const trustedProxies = createTrustedProxies(options.config.trustedProxies ?? []);
  let dispatchAs: Kernel['dispatchAs'] | undefined;

  return {
    config: options.config,
    sql: options.sql,
    blobs: options.blobs,
    bus: options.bus,
    log: options.log,
    mail: options.mail,
    secrets: options.secrets,
    services,
    rawRoutes,
    urlRoutes,
    upgradeRoutes,
    authorize,
    checkRoleTrust,
    baseUrl() {
      if (!listening) throw new Error('the cloud is not listening yet: baseUrl() is known after listen');
      return listening.baseUrl;
    },
    httpsBaseUrl() {
      return listening?.httpsBaseUrl;
    },
    port() {
      if (!listening) throw new Error('the cloud is not listening yet: port() is known after listen');
      return listening.port;
    },
    clientAddress: (req) => clientAddressOf(req, trustedProxies),
    forwardedFor: (req) => resolveClient(req, trustedProxies).forwardedFor,
    isTrustedProxy: (address) => address !== undefined && trustedProxies.has(normaliseAddress(address)),
    resourceHandler: (type) => handlers.get(type),
    jsonApis: () => services.flatMap((s) => s.routes.flatMap((r) => (r.jsonApi ? [r.jsonApi] : []))),
    capability<Value>(capability: Capability<unknown, Value>): Value {
      const entry = providersOf(capability);
      if (capability.multiple) return entry.values as Value;
      if (entry.values.length === 0) throw new CapabilityError(`capability "${capability.name}" is not provided by any service of this cloud`);
      return entry.values[0] as Value;
    },
    verifySignedHeaders: (input) => verifySignedHeaders(input, chainedCredentials(credentialProviders)),
    addService(service) {
      if (services.some((s) => s.name === service.name)) throw new Error(`service ${service.name} is registered twice`);
      for (const { capability } of service.provides ?? []) {
        const entry = providersOf(capability);
        if (!capability.multiple && entry.by.length > 0) {
          throw new CapabilityError(
            `services ${entry.by[0]} and ${service.name} both provide capability "${capability.name}", which only one service may provide`,
          );
        }
      }
      for (const type of Object.keys(service.resourceTypes ?? {})) {
        if (handlers.has(type)) throw new Error(`resource type ${type} is provided by two services`);
      }
      services.push(service);
      for (const route of service.routes) insertByOrder('raw' in route.match ? rawRoutes : urlRoutes, route);
      upgradeRoutes.push(...(service.upgrades ?? []));
      for (const [type, handler] of Object.entries(service.resourceTypes ?? {})) handlers.set(type, handler);
      for (const { capability, value } of service.provides ?? []) {
        const entry = providersOf(capability);
        entry.values.push(value);
        entry.by.push(service.name);
      }
    },
    checkRequirements() {
      const missing: string[] = [];
      for (const service of services) {
        for (const capability of service.requires ?? []) {
          if (providersOf(capability).values.length > 0) continue;
          const hint = capability.providedBy === undefined ? '' : ` (start ${capability.providedBy})`;
          missing.push(`${service.name} requires capability "${capability.name}", which no service provides${hint}`);
        }
      }
      if (missing.length > 0) throw new CapabilityError(missing.join('; '));
    },
    setListening(address) {
      listening = address;
    },
    dispatchAs(principal, request) {
      if (!dispatchAs) throw new Error('dispatchAs() needs the request listener: the cloud is not serving yet');
      return dispatchAs(principal, request);
    },
    setDispatchAs(dispatch) {
      dispatchAs = dispatch;
    },
  };
}
