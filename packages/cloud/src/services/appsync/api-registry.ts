import type { AppSyncAuthProvider, GraphQLApiPlan } from '@forte/protocol';
import type { GraphQLSchema } from 'graphql';

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
}

/**
 * The APIs this cloud serves, kept in memory (built from SQL at start) and rebuilt whenever a
 * `GraphQLApi`, `GraphQLSchema` or `ApiKey` resource changes. An API without a schema yet is not served.
 */
export interface ApiRegistry {
  get(apiId: string): DeployedApi | undefined;
  /** Rebuilds one API from SQL (after a resource handler changed it). */
  refresh(apiId: string): Promise<void>;
  /** Builds every API from SQL (at start). */
  loadAll(): Promise<void>;
}
