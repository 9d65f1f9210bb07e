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
  get(apiId: string): DeployedApi | undefined;
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
