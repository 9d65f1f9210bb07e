/**
 * Small helpers over graphql-js AST nodes: building type references, reading directive arguments.
 */
import { Kind, valueFromASTUntyped } from 'graphql';
import type { DirectiveNode, FieldDefinitionNode, NamedTypeNode, TypeNode, ValueNode } from 'graphql';

export const named = (name: string): NamedTypeNode => ({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } });
export const nonNull = (type: TypeNode): TypeNode => (type.kind === Kind.NON_NULL_TYPE ? type : { kind: Kind.NON_NULL_TYPE, type });
export const listOf = (type: TypeNode): TypeNode => ({ kind: Kind.LIST_TYPE, type });
export const nullable = (type: TypeNode): TypeNode => (type.kind === Kind.NON_NULL_TYPE ? type.type : type);

export const baseTypeName = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : baseTypeName(type.type));
export const isListType = (type: TypeNode): boolean => nullable(type).kind === Kind.LIST_TYPE;
export const isNonNullType = (type: TypeNode): boolean => type.kind === Kind.NON_NULL_TYPE;
/** For a list type, whether its elements are non-null. */
export const isListItemNonNull = (type: TypeNode): boolean => {
  const inner = nullable(type);
  return inner.kind === Kind.LIST_TYPE && inner.type.kind === Kind.NON_NULL_TYPE;
};
/** Replaces the innermost named type, keeping list and non-null wrappers. */
export const withBaseName = (type: TypeNode, name: string): TypeNode => {
  if (type.kind === Kind.NAMED_TYPE) return named(name);
  if (type.kind === Kind.LIST_TYPE) return { kind: Kind.LIST_TYPE, type: withBaseName(type.type, name) };
  return { kind: Kind.NON_NULL_TYPE, type: withBaseName(type.type, name) as NamedTypeNode };
};

export const makeDirective = (name: string, args: Record<string, ValueNode> = {}): DirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: name },
  arguments: Object.entries(args).map(([argName, value]) => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: argName }, value })),
});

export const stringList = (values: string[]): ValueNode => ({
  kind: Kind.LIST,
  values: values.map((value) => ({ kind: Kind.STRING, value })),
});

export const findDirective = (node: { directives?: readonly DirectiveNode[] | undefined }, name: string): DirectiveNode | undefined =>
  node.directives?.find((d) => d.name.value === name);

export const findDirectives = (node: { directives?: readonly DirectiveNode[] | undefined }, name: string): DirectiveNode[] =>
  node.directives?.filter((d) => d.name.value === name) ?? [];

/** The directive's arguments as plain JSON values (`undefined` for those not given). */
export const directiveArgs = (directive: DirectiveNode): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const arg of directive.arguments ?? []) out[arg.name.value] = valueFromASTUntyped(arg.value);
  return out;
};

/** A `[String]` argument that may also be written as a single string (`fields: "id"`). */
export const stringListArg = (value: unknown): string[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return undefined;
};

export const stringArg = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const fieldNamed = (fields: readonly FieldDefinitionNode[] | undefined, name: string): FieldDefinitionNode | undefined =>
  fields?.find((f) => f.name.value === name);

/**
 * Built-in and AppSync scalars, mapped to the scalar whose filter inputs they use (`AWSDateTime` filters
 * like a String, `AWSTimestamp` like an Int), as `DEFAULT_SCALARS` of graphql-transformer-common.
 */
export const DEFAULT_SCALARS: Record<string, 'String' | 'Int' | 'Float' | 'Boolean' | 'ID'> = {
  String: 'String',
  Int: 'Int',
  Float: 'Float',
  Boolean: 'Boolean',
  ID: 'ID',
  AWSDate: 'String',
  AWSTime: 'String',
  AWSDateTime: 'String',
  AWSTimestamp: 'Int',
  AWSEmail: 'String',
  AWSJSON: 'String',
  AWSURL: 'String',
  AWSPhone: 'String',
  AWSIPAddress: 'String',
  BigInt: 'Int',
  Double: 'Float',
};

export const isScalarName = (name: string): boolean => Object.prototype.hasOwnProperty.call(DEFAULT_SCALARS, name);
