import { Kind, parse, parseValue, print } from 'graphql';
import type {
  ArgumentNode,
  DefinitionNode,
  DirectiveNode,
  DocumentNode,
  FieldDefinitionNode,
  ListValueNode,
  ObjectFieldNode,
  ObjectTypeDefinitionNode,
  ObjectValueNode,
  TypeNode,
  ValueNode,
} from 'graphql';
import { SchemaError, lineAndColumn } from './errors.js';

/**
 * Amplify's GraphQL Transformer v1 schemas rewritten for v2, as `amplify migrate api` rewrites them (Amplify's
 * transformer migrator): `@key` becomes `@primaryKey` / `@index` on the key's first field, `@connection` becomes
 * `@hasMany`, `@hasOne` or `@belongsTo`, and the access v1 granted implicitly (a model without `@auth` open to the
 * default authorization mode; the operations owner and group rules did not protect open to every signed-in
 * caller) becomes explicit `@auth` rules, since v2 denies what no rule allows. `@versioned` (which v2 does not have,
 * and which Amplify's migrator leaves for the user to remove) is removed and reported.
 */

/** Directives of Transformer v1 that v2 does not have. */
export const V1_ONLY_DIRECTIVES: readonly string[] = ['connection', 'key', 'versioned'];

/** The API's default authorization type, as AppSync names it. */
export type V1DefaultAuthType = 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT';

/** One schema file: its path (used only in messages) and its text. */
export interface V1SchemaFile {
  file: string;
  schema: string;
}

export interface V1Migration {
  files: V1SchemaFile[];
  /** Types that define Query, Mutation or Subscription fields of their own (their resolvers are not rewritten). */
  customRootTypes: string[];
  /** Models whose `@versioned` was removed: v2 has conflict detection instead, with other fields. */
  versionedModels: string[];
  /** Whether a file held comments, which the rewritten schema cannot keep. */
  droppedComments: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Rule = Mutable<ObjectValueNode>;

const PROVIDER_OF: Record<V1DefaultAuthType, string> = {
  API_KEY: 'apiKey',
  AWS_IAM: 'iam',
  AMAZON_COGNITO_USER_POOLS: 'userPools',
  OPENID_CONNECT: 'oidc',
};
/** The provider a v2 rule means when it names none. */
const DEFAULT_PROVIDER: Record<string, string> = { public: 'apiKey', private: 'userPools', owner: 'userPools', groups: 'userPools' };
const OPERATIONS = ['create', 'read', 'update', 'delete'];
const DEPRECATED_CONNECTION_ARGUMENTS = ['name', 'keyField', 'sortField', 'limit'];

const parseFile = (f: V1SchemaFile): DocumentNode => {
  try {
    return parse(f.schema);
  } catch (error) {
    const at = (error as { locations?: readonly { line: number; column: number }[] }).locations?.[0];
    throw new SchemaError(`${f.file}${at ? `:${at.line}:${at.column}` : ''}: ${(error as Error).message}`);
  }
};

const objectTypes = (doc: DocumentNode): ObjectTypeDefinitionNode[] =>
  doc.definitions.filter((d: DefinitionNode): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION);

const directive = (node: { directives?: readonly DirectiveNode[] }, name: string): DirectiveNode | undefined =>
  node.directives?.find((d) => d.name.value === name);

const argument = (d: DirectiveNode, name: string): ArgumentNode | undefined => d.arguments?.find((a) => a.name.value === name);

const stringList = (value: ValueNode | undefined): string[] =>
  value?.kind === Kind.LIST ? value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : value?.kind === Kind.STRING ? [value.value] : [];

const ruleField = (rule: ObjectValueNode, name: string): ObjectFieldNode | undefined => rule.fields.find((f) => f.name.value === name);

const enumOrString = (value: ValueNode | undefined): string | undefined => (value?.kind === Kind.ENUM || value?.kind === Kind.STRING ? value.value : undefined);

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

const isList = (type: TypeNode): boolean => type.kind === Kind.LIST_TYPE || (type.kind === Kind.NON_NULL_TYPE && isList(type.type));

const authRules = (auth: DirectiveNode): Rule[] => {
  const rules = argument(auth, 'rules')?.value;
  return rules?.kind === Kind.LIST ? (rules.values.filter((v) => v.kind === Kind.OBJECT) as Rule[]) : [];
};

/**
 * What keeps a schema from being migrated automatically, as Amplify's migrator refuses it: `@connection` with its
 * oldest arguments (`name`, `keyField`, `sortField`, `limit`), and `@auth` rules that list `queries` or `mutations`
 * (v2 has only `operations`). Each names the type, the field and the file.
 */
export function v1MigrationBlockers(files: V1SchemaFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const type of objectTypes(parseFile(f))) {
      const at = (node: { loc?: DirectiveNode['loc'] }): string => {
        const { line, column } = lineAndColumn(node.loc);
        return line === undefined ? f.file : `${f.file}:${line}:${column ?? 1}`;
      };
      for (const field of type.fields ?? []) {
        const connection = directive(field, 'connection');
        const old = connection?.arguments?.filter((a) => DEPRECATED_CONNECTION_ARGUMENTS.includes(a.name.value)).map((a) => a.name.value) ?? [];
        if (connection && old.length > 0)
          out.push(
            `${at(connection)} ${type.name.value}.${field.name.value}: @connection(${old.join(', ')}) is the oldest form of @connection, which cannot be migrated automatically: rewrite it with fields (and keyName) first`,
          );
      }
      for (const auth of [type, ...(type.fields ?? [])].flatMap((n) => n.directives?.filter((d) => d.name.value === 'auth') ?? [])) {
        if (authRules(auth).some((r) => ruleField(r, 'queries') || ruleField(r, 'mutations')))
          out.push(`${at(auth)} ${type.name.value}: an @auth rule lists queries or mutations, which cannot be migrated automatically: use operations`);
      }
    }
  }
  return out;
}

/** Directives of Transformer v2 that v1 did not have. */
const V2_ONLY_DIRECTIVES = ['primaryKey', 'index', 'hasOne', 'hasMany', 'belongsTo', 'manyToMany', 'default', 'mapsTo', 'refersTo'];

const usesDirectives = (files: V1SchemaFile[], names: readonly string[]): boolean =>
  files.some((f) => objectTypes(parseFile(f)).some((t) => [t, ...(t.fields ?? [])].some((n) => n.directives?.some((d) => names.includes(d.name.value)))));

/** Whether any file uses a directive only Transformer v1 has. */
export const usesV1Directives = (files: V1SchemaFile[]): boolean => usesDirectives(files, V1_ONLY_DIRECTIVES);

/** Whether the schema is written for v2: a v2 directive, or the global auth rule (`input AMPLIFY`), and no v1 directive. */
export const writtenForV2 = (files: V1SchemaFile[]): boolean =>
  !usesV1Directives(files) &&
  (usesDirectives(files, V2_ONLY_DIRECTIVES) ||
    files.some((f) => parseFile(f).definitions.some((d) => d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION && d.name.value === 'AMPLIFY')));

/** Rewrites every file for Transformer v2. Call `v1MigrationBlockers` first: what it lists is left as it was. */
export function migrateV1Schemas(files: V1SchemaFile[], defaultAuth: V1DefaultAuthType): V1Migration {
  const provider = PROVIDER_OF[defaultAuth];
  // Relations are resolved against the whole schema as written: a connection's other side may be in another file.
  const whole = files.map(parseFile);
  const typesByName = new Map(whole.flatMap(objectTypes).map((t) => [t.name.value, t]));
  const customRootTypes = new Set<string>();
  const versionedModels: string[] = [];
  const out = files.map((f) => {
    const doc = parseFile(f) as Mutable<DocumentNode>;
    for (const type of objectTypes(doc) as Mutable<ObjectTypeDefinitionNode>[]) {
      if (['Query', 'Mutation', 'Subscription'].includes(type.name.value)) customRootTypes.add(type.name.value);
      type.directives = [...(type.directives ?? [])];
      type.fields = (type.fields ?? []).map((field) => ({ ...field, directives: [...(field.directives ?? [])] }));
      if (directive(type, 'versioned')) {
        versionedModels.push(type.name.value);
        type.directives = type.directives.filter((d) => d.name.value !== 'versioned');
      }
      migrateKeys(type, f.file);
      if (directive(type, 'model')) migrateAuth(type, provider);
      migrateConnections(type, typesByName);
    }
    return { file: f.file, schema: `${print(doc)}\n` };
  });
  return { files: out, customRootTypes: [...customRootTypes], versionedModels, droppedComments: files.some((f) => /#/.test(f.schema)) };
}

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
const makeArgument = (argName: string, value: ValueNode): ArgumentNode => ({ kind: Kind.ARGUMENT, name: name(argName), value });
const makeDirective = (directiveName: string, args: ArgumentNode[]): DirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: name(directiveName),
  arguments: args,
});

/** `@key(fields: [a, b…])` → `a: … @primaryKey(sortKeyFields: [b…])`; with a name, `@index(name, queryField, sortKeyFields)`. */
function migrateKeys(type: Mutable<ObjectTypeDefinitionNode>, file: string): void {
  const keys = (type.directives ?? []).filter((d) => d.name.value === 'key');
  if (keys.length === 0) return;
  type.directives = (type.directives ?? []).filter((d) => d.name.value !== 'key');
  const fields = type.fields as Mutable<FieldDefinitionNode>[];
  for (const key of keys) {
    const fieldsArg = argument(key, 'fields');
    const [first, ...sortKeys] = stringList(fieldsArg?.value);
    if (!fieldsArg || first === undefined) continue;
    const field = fields.find((x) => x.name.value === first);
    if (!field) {
      const { line, column } = lineAndColumn(key.loc);
      throw new SchemaError(`${file}:${line ?? 1}:${column ?? 1} ${type.name.value}: @key names the field "${first}", which ${type.name.value} does not have`);
    }
    const sortKeyFields =
      sortKeys.length > 0 ? [makeArgument('sortKeyFields', { kind: Kind.LIST, values: sortKeys.map((value) => ({ kind: Kind.STRING, value })) })] : [];
    const isIndex = argument(key, 'name') !== undefined;
    const args = isIndex ? [...(key.arguments ?? []).filter((a) => a.name.value !== 'fields'), ...sortKeyFields] : sortKeyFields;
    field.directives = [...(field.directives ?? []), makeDirective(isIndex ? 'index' : 'primaryKey', args)];
  }
}

const makeRule = (strategy: string, provider: string, operations?: string[]): ObjectValueNode => {
  const parts = [`allow: ${strategy}`];
  if (provider !== DEFAULT_PROVIDER[strategy]) parts.push(`provider: ${provider}`);
  if (operations && operations.length !== OPERATIONS.length) parts.push(`operations: [${operations.join(', ')}]`);
  return parseValue(`{${parts.join(', ')}}`) as ObjectValueNode;
};

/** The rule that gives the default authorization mode what v1 gave it without one. */
const openRule = (provider: string, operations?: string[]): ObjectValueNode =>
  provider === 'apiKey' ? makeRule('public', provider, operations) : makeRule('private', provider, operations);

function migrateAuth(type: Mutable<ObjectTypeDefinitionNode>, provider: string): void {
  const auth = directive(type, 'auth');
  if (!auth) {
    // v1 let the default mode do everything on a model without @auth; v2 allows only what a rule allows. IAM is
    // left as Amplify leaves it: an IAM caller of a model without rules passes v2's IAM checks by its role's policy.
    if (provider !== 'iam')
      type.directives = [...(type.directives ?? []), makeDirective('auth', [makeArgument('rules', { kind: Kind.LIST, values: [openRule(provider)] })])];
    return;
  }
  const rules = authRules(auth);
  const strategy = (r: ObjectValueNode): string | undefined => enumOrString(ruleField(r, 'allow')?.value);
  const protecting = rules.filter((r) => strategy(r) === 'owner' || strategy(r) === 'groups');
  if (protecting.length === 0) return;
  // v1: an owner or group rule protects its operations (all four when it lists none); the others stay open to any
  // caller the API lets in.
  const protectedOperations = new Set<string>();
  for (const rule of protecting) {
    const operations = ruleField(rule, 'operations');
    if (!operations) {
      for (const op of OPERATIONS) protectedOperations.add(op);
      continue;
    }
    const listed = operations.value.kind === Kind.LIST ? operations.value.values : [operations.value];
    for (const op of listed) {
      const value = enumOrString(op);
      if (value) protectedOperations.add(value);
    }
    // A single owner or group rule keeps every operation for its owners or group in v2.
    if (protecting.length === 1) rule.fields = rule.fields.filter((f) => f !== operations);
  }
  const hasPrivateRule = rules.some((r) => {
    if (strategy(r) !== 'private') return false;
    const ruleProvider = enumOrString(ruleField(r, 'provider')?.value) ?? 'userPools';
    return ruleProvider === provider;
  });
  if (protectedOperations.size === OPERATIONS.length || hasPrivateRule) return;
  const open = OPERATIONS.filter((op) => !protectedOperations.has(op));
  const list = argument(auth, 'rules')?.value;
  if (list?.kind === Kind.LIST) (list as Mutable<ListValueNode>).values = [...list.values, openRule(provider, open)];
}

/**
 * `@connection` on a list → `@hasMany` (`keyName` → `indexName`); on a single object → `@belongsTo` when the other
 * type points back with a list (and this side's key field, if named, is indexed), else `@hasOne`.
 */
function migrateConnections(type: Mutable<ObjectTypeDefinitionNode>, typesByName: Map<string, ObjectTypeDefinitionNode>): void {
  const fields = type.fields as Mutable<FieldDefinitionNode>[];
  for (const field of fields) {
    const connection = directive(field, 'connection');
    if (!connection) continue;
    let renamed: DirectiveNode;
    if (isList(field.type)) {
      renamed = {
        ...connection,
        name: name('hasMany'),
        arguments: (connection.arguments ?? []).map((a) => (a.name.value === 'keyName' ? { ...a, name: name('indexName') } : a)),
      };
    } else {
      const [keyField] = stringList(argument(connection, 'fields')?.value);
      const keyFieldNode = keyField === undefined ? undefined : fields.find((x) => x.name.value === keyField);
      const keyIndexed = !keyFieldNode || directive(keyFieldNode, 'index') !== undefined;
      const related = typesByName.get(namedType(field.type));
      const back = keyIndexed
        ? related?.fields?.find(
            (f) => namedType(f.type) === type.name.value && f.directives?.some((d) => ['hasOne', 'hasMany', 'connection'].includes(d.name.value)),
          )
        : undefined;
      renamed = { ...connection, name: name(back && isList(back.type) ? 'belongsTo' : 'hasOne') };
    }
    field.directives = (field.directives ?? []).map((d) => (d === connection ? renamed : d));
  }
}
