/**
 * The output schema under construction: an ordered set of type definitions that the directive modules
 * add to and edit, printed with graphql-js at the end.
 */
import { Kind, print } from 'graphql';
import type {
  DefinitionNode,
  DirectiveNode,
  DocumentNode,
  FieldDefinitionNode,
  InputValueDefinitionNode,
  NamedTypeNode,
  StringValueNode,
  TypeDefinitionNode,
  TypeNode,
  ValueNode,
} from 'graphql';
import { named } from './ast.js';

export interface OutArg {
  name: string;
  type: TypeNode;
  defaultValue?: ValueNode | undefined;
  directives: DirectiveNode[];
  description?: StringValueNode | undefined;
}

export interface OutField {
  name: string;
  type: TypeNode;
  args: OutArg[];
  directives: DirectiveNode[];
  description?: StringValueNode | undefined;
}

export interface OutObject {
  kind: 'object';
  name: string;
  fields: OutField[];
  directives: DirectiveNode[];
  interfaces: NamedTypeNode[];
  description?: StringValueNode | undefined;
}

export interface OutInput {
  kind: 'input';
  name: string;
  fields: OutArg[];
  directives: DirectiveNode[];
  description?: StringValueNode | undefined;
}

/** Enums, scalars, unions and interfaces: passed through as written. */
export interface OutOther {
  kind: 'other';
  name: string;
  node: TypeDefinitionNode;
}

export type OutType = OutObject | OutInput | OutOther;

export const arg = (name: string, type: TypeNode | string, defaultValue?: ValueNode): OutArg => ({
  name,
  type: typeof type === 'string' ? named(type) : type,
  defaultValue,
  directives: [],
});

export const field = (name: string, type: TypeNode | string, args: OutArg[] = [], directives: DirectiveNode[] = []): OutField => ({
  name,
  type: typeof type === 'string' ? named(type) : type,
  args,
  directives,
});

const nameNode = (value: string) => ({ kind: Kind.NAME, value }) as const;

const argNode = (a: OutArg): InputValueDefinitionNode => ({
  kind: Kind.INPUT_VALUE_DEFINITION,
  name: nameNode(a.name),
  type: a.type,
  ...(a.defaultValue ? { defaultValue: a.defaultValue } : {}),
  directives: a.directives,
  ...(a.description ? { description: a.description } : {}),
});

const fieldNode = (f: OutField): FieldDefinitionNode => ({
  kind: Kind.FIELD_DEFINITION,
  name: nameNode(f.name),
  type: f.type,
  arguments: f.args.map(argNode),
  directives: f.directives,
  ...(f.description ? { description: f.description } : {}),
});

export class Output {
  readonly types = new Map<string, OutType>();

  has(name: string): boolean {
    return this.types.has(name);
  }

  get(name: string): OutType | undefined {
    return this.types.get(name);
  }

  object(name: string): OutObject | undefined {
    const t = this.types.get(name);
    return t?.kind === 'object' ? t : undefined;
  }

  input(name: string): OutInput | undefined {
    const t = this.types.get(name);
    return t?.kind === 'input' ? t : undefined;
  }

  /** Adds the type unless one of that name exists (generated shared types are added once). */
  add(type: OutType): void {
    if (!this.types.has(type.name)) this.types.set(type.name, type);
  }

  put(type: OutType): void {
    this.types.set(type.name, type);
  }

  remove(name: string): void {
    this.types.delete(name);
  }

  /** The root object (Query, Mutation, Subscription), created empty when missing. */
  root(name: 'Query' | 'Mutation' | 'Subscription'): OutObject {
    let t = this.object(name);
    if (!t) {
      t = { kind: 'object', name, fields: [], directives: [], interfaces: [] };
      this.types.set(name, t);
    }
    return t;
  }

  addRootField(rootName: 'Query' | 'Mutation' | 'Subscription', f: OutField): void {
    const root = this.root(rootName);
    if (!root.fields.some((x) => x.name === f.name)) root.fields.push(f);
  }

  /** Adds directives to an object type, skipping those it already carries (as AppSync type extensions merge). */
  addTypeDirectives(typeName: string, directives: DirectiveNode[]): void {
    const t = this.object(typeName);
    if (!t) return;
    for (const d of directives) if (!t.directives.some((x) => x.name.value === d.name.value)) t.directives.push(d);
  }

  /** Adds directives to a field; like the Amplify transformer, the field then moves to the end of its type. */
  addFieldDirectives(typeName: string, fieldName: string, directives: DirectiveNode[]): void {
    const t = this.object(typeName);
    const f = t?.fields.find((x) => x.name === fieldName);
    if (!t || !f || directives.length === 0) return;
    for (const d of directives) if (!f.directives.some((x) => x.name.value === d.name.value)) f.directives.push(d);
    t.fields = [...t.fields.filter((x) => x !== f), f];
  }

  document(): DocumentNode {
    const definitions: DefinitionNode[] = [];
    for (const t of this.types.values()) {
      if (t.kind === 'other') definitions.push(t.node);
      else if (t.kind === 'object') {
        definitions.push({
          kind: Kind.OBJECT_TYPE_DEFINITION,
          name: nameNode(t.name),
          interfaces: t.interfaces,
          directives: t.directives,
          fields: t.fields.map(fieldNode),
          ...(t.description ? { description: t.description } : {}),
        });
      } else {
        definitions.push({
          kind: Kind.INPUT_OBJECT_TYPE_DEFINITION,
          name: nameNode(t.name),
          directives: t.directives,
          fields: t.fields.map(argNode),
          ...(t.description ? { description: t.description } : {}),
        });
      }
    }
    return { kind: Kind.DOCUMENT, definitions };
  }

  print(): string {
    return `${print(this.document())}\n`;
  }
}
