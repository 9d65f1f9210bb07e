import { buildSchema, GraphQLError, type GraphQLSchema } from 'graphql';

/**
 * What AppSync defines before a user's SDL: its scalars and its auth-mode directives. A deployed schema is
 * built with these prepended, as AppSync does, so the transformer's output (which uses them without
 * declaring them) parses.
 */
export const APPSYNC_PRELUDE = `
scalar AWSDateTime
scalar AWSDate
scalar AWSTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION
`;

/** Builds the SDL of a deployed API (with the prelude); throws an Error whose message says what is wrong. */
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
