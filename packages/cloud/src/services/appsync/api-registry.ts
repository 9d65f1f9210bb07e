import type { AppSyncAuthProvider, GraphQLApiPlan } from '@forte/protocol';
import type { GraphQLSchema } from 'graphql';
import type { LambdaAuthorizerCache } from './lambda-authorizer.js';

/** An executable schema built from a stored schema, named by that schema's `definitionHash`. */
export interface BuiltSchema {
  definitionHash: string;
  schema: GraphQLSchema;
  plan: GraphQLApiPlan;
}

/** A GraphQL API as served: its auth modes, its executable schema and the tables behind its models. */
export interface DeployedApi {
  apiId: string;
  /** `arn:aws:appsync:<region>:<account>:apis/<apiId>` */
  arn: string;
  name: string;
  /** The default auth provider first, then the additional ones. */
  authProviders: AppSyncAuthProvider[];
  /** IAM role names whose callers (not identity pool credentials) pass every `@auth` rule: Amplify's admin roles. */
  adminRoleNames: ReadonlySet<string>;
  plan: GraphQLApiPlan;
  /** Executable: the deployed SDL with resolvers built from the plan. */
  schema: GraphQLSchema;
  /** Model name → physical table name. */
  tables: Record<string, string>;
  /** API key → its expiry (epoch seconds). */
  apiKeys: Record<string, number>;
  /** The AWS_LAMBDA authorizer's decisions by token (emptied whenever the API is rebuilt). */
  lambdaAuthorizerCache: LambdaAuthorizerCache;
}

/**
 * The APIs this cloud serves, kept in memory (built from SQL at start) and rebuilt whenever a
 * `GraphQLApi`, `GraphQLSchema` or `ApiKey` resource changes, in this instance or (through the bus) in
 * another one sharing the database. An API without a schema yet is not served.
 */
export interface ApiRegistry {
  /** The API as this instance holds it (nothing read). */
  get(apiId: string): DeployedApi | undefined;
  /**
   * The API as held, or read from SQL when this instance does not hold it (another instance may have just
   * deployed it, its bus message still under way): once per id at a time and second
   * (kernel/miss-read-through.ts), so unknown ids cost the database little.
   */
  find(apiId: string): Promise<DeployedApi | undefined>;
  /**
   * What a request is served by: `find`, and when the request carries `apiKey` (an API key and no other
   * credentials), the API's keys read again first when that key is not among those held (created through
   * another instance) or they were read more than a second ago (deleted through another instance whose bus
   * message was lost), with the same bounds as `find`.
   */
  served(apiId: string, apiKey: string | undefined): Promise<DeployedApi | undefined>;
  /**
   * The API read again from SQL (its schema rebuilt only when the stored definition changed), when a request's
   * document does not validate against the schema held: another instance may have deployed a newer one. At
   * most once per API at a time and second, as `find`.
   */
  recheck(apiId: string): Promise<DeployedApi | undefined>;
  /**
   * Rebuilds one API from SQL (after a resource handler changed it). The executable schema is rebuilt
   * only when the stored definition changed and no prepared one matches it.
   */
  refresh(apiId: string): Promise<void>;
  /**
   * Hands over the executable schema built (to validate it) from a definition about to be stored, so that
   * whichever refresh first reads that definition serves it without building it again: resources of one
   * API are applied in parallel, and an API key's refresh may read the new schema first.
   */
  prepare(apiId: string, built: BuiltSchema): void;
  /** Builds every API from SQL (at start). */
  loadAll(): Promise<void>;
  /** Hears of the APIs that other instances sharing the database change (before `loadAll`). */
  start(): Promise<void>;
  stop(): void;
}
