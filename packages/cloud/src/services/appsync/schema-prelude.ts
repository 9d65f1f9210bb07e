import { buildSchema, GraphQLError, type GraphQLSchema } from 'graphql';
import { APPSYNC_PRELUDE } from '@forte/protocol';

/** Builds the SDL of a deployed API (with AppSync's prelude, shared with the transformer's validation); throws an Error whose message says what is wrong. */
export function buildAppSyncSchema(definition: string): GraphQLSchema {
  try {
    return buildSchema(APPSYNC_PRELUDE + definition);
  } catch (error) {
    if (error instanceof GraphQLError || error instanceof Error) {
      const where = error instanceof GraphQLError && error.locations?.[0] ? ` (line ${error.locations[0].line - APPSYNC_PRELUDE.split('\n').length + 1})` : '';
      throw new Error(`the schema is not valid GraphQL${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
