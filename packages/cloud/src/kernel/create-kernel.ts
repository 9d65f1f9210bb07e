import type { BlobStore, SqlStore } from '../engines/types.js';
import { createAuthorizer, createTrustChecker, type PolicySource } from './iam-lite.js';
import { chainedCredentials, verifySignedHeaders } from './sigv4.js';
import type { Logger } from './logger.js';
import type { MailSender } from './mail-transport.js';
import type { SecretBox } from './secret-box.js';
import type { CloudConfig, CredentialProvider, DenyCode, IdentityTokenVerifier, Kernel, Principal, ResourceHandler, Route, Service, TableEngine, TrustPolicySource, UpgradeRoute } from './types.js';

/** The kernel as the composition root and the HTTP dispatcher see it: services can only see `Kernel`. */
export interface KernelRuntime extends Kernel {
  /** Registers a service: its routes join the dispatch order, its resource types the handler table. */
  addService(service: Service): void;
  readonly services: readonly Service[];
  readonly routes: readonly Route[];
  /** The routes that match on the raw request, tried before the URL is parsed. */
  readonly rawRoutes: readonly Route[];
  /** The routes that match on the parsed URL. */
  readonly urlRoutes: readonly Route[];
  /** The upgrade (WebSocket) handlers of every service, in registration order. */
  readonly upgradeRoutes: readonly UpgradeRoute[];
  readonly credentialProviders: readonly CredentialProvider[];
  authorize(principal: Principal, action: string, resource: string, denyCode?: DenyCode): Promise<void>;
  /** Called once the server listens. */
  setListening(address: { port: number; baseUrl: string }): void;
}

export function createKernel(options: { config: CloudConfig; sql: SqlStore; blobs: BlobStore; log: Logger; mail?: MailSender | undefined; secrets: SecretBox }): KernelRuntime {
  const services: Service[] = [];
  const routes: Route[] = [];
  const rawRoutes: Route[] = [];
  const urlRoutes: Route[] = [];
  const upgradeRoutes: UpgradeRoute[] = [];
  const handlers = new Map<string, ResourceHandler>();
  const policySources: PolicySource[] = [];
  const credentialProviders: CredentialProvider[] = [];
  const tokenVerifiers: IdentityTokenVerifier[] = [];
  let tables: TableEngine | undefined;
  const authorize = createAuthorizer(policySources);
  const trustSources: TrustPolicySource[] = [];
  const checkRoleTrust = createTrustChecker(trustSources);
  let listening: { port: number; baseUrl: string } | undefined;

  return {
    config: options.config,
    sql: options.sql,
    blobs: options.blobs,
    log: options.log,
    mail: options.mail,
    secrets: options.secrets,
    services,
    routes,
    rawRoutes,
    urlRoutes,
    upgradeRoutes,
    credentialProviders,
    authorize,
    baseUrl() {
      if (!listening) throw new Error('the cloud is not listening yet: baseUrl() is known after listen');
      return listening.baseUrl;
    },
    port() {
      if (!listening) throw new Error('the cloud is not listening yet: port() is known after listen');
      return listening.port;
    },
    resourceHandler: (type) => handlers.get(type),
    registerPolicySource: (source) => {
      policySources.push(source);
    },
    registerCredentialProvider: (provider) => {
      credentialProviders.push(provider);
    },
    registerTrustPolicySource: (source) => {
      trustSources.push(source);
    },
    checkRoleTrust,
    registerIdentityTokenVerifier: (verifier) => {
      tokenVerifiers.push(verifier);
    },
    registerTableEngine: (engine) => {
      if (tables) throw new Error('a table engine is registered twice: only one table service may be part of a cloud');
      tables = engine;
    },
    tableEngine() {
      if (!tables) throw new Error('no table engine is registered: add the dynamodb service to the cloud');
      return tables;
    },
    async verifyIdentityToken(providerName, token, tokenOptions) {
      for (const verifier of tokenVerifiers) {
        const verified = await verifier.verify(providerName, token, tokenOptions);
        if (verified) return verified;
      }
      return undefined;
    },
    verifySignedHeaders: (input) => verifySignedHeaders(input, chainedCredentials(credentialProviders)),
    addService(service) {
      if (services.some((s) => s.name === service.name)) throw new Error(`service ${service.name} is registered twice`);
      services.push(service);
      routes.push(...service.routes);
      for (const route of service.routes) ('raw' in route.match ? rawRoutes : urlRoutes).push(route);
      upgradeRoutes.push(...(service.upgrades ?? []));
      for (const [type, handler] of Object.entries(service.resourceTypes ?? {})) {
        if (handlers.has(type)) throw new Error(`resource type ${type} is provided by two services`);
        handlers.set(type, handler);
      }
    },
    setListening(address) {
      listening = address;
    },
  };
}
