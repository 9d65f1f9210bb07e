/** The sandbox rule Amplify puts at the top of every new schema (public API-key access to all models). */
export const SANDBOX_RULE = `# This "input" configures a global authorization rule to enable public access to
# all models in this schema. Learn more about authorization rules here: https://docs.amplify.aws/cli/graphql/authorization-rules
input AMPLIFY { globalAuthRule: AuthRule = { allow: public } } # FOR TESTING ONLY!
`;

export type SchemaTemplate = 'single-object' | 'many-relationship' | 'fine-grained-access' | 'blank';

/** Amplify's `add api` GraphQL schema templates (v2 directives). */
export const SCHEMA_TEMPLATES: Record<SchemaTemplate, { label: string; schema: string }> = {
  'single-object': {
    label: 'Single object with fields (e.g., "Todo" with ID, name, description)',
    schema: `${SANDBOX_RULE}
type Todo @model {
  id: ID!
  name: String!
  description: String
}
`,
  },
  'many-relationship': {
    label: 'One-to-many relationship (e.g., "Blogs" with "Posts" and "Comments")',
    schema: `${SANDBOX_RULE}
type Blog @model {
  id: ID!
  name: String!
  posts: [Post] @hasMany
}

type Post @model {
  id: ID!
  title: String!
  blog: Blog @belongsTo
  comments: [Comment] @hasMany
}

type Comment @model {
  id: ID!
  post: Post @belongsTo
  content: String!
}
`,
  },
  'fine-grained-access': {
    label: 'Objects with fine-grained access control (e.g., a project management app with owner-based authorization)',
    schema: `type Task @model @auth(rules: [
  { allow: groups, groups: ["Managers"], operations: [create, update, read, delete] }
  { allow: groups, groups: ["Employees"], operations: [read] }
]) {
  id: ID!
  title: String!
  description: String
  status: String
}

type PrivateNote @model @auth(rules: [{ allow: owner }]) {
  id: ID!
  content: String!
}
`,
  },
  blank: { label: 'Blank Schema', schema: `${SANDBOX_RULE}` },
};
