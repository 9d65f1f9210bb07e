/**
 * The state shared by the directive modules during one transform: the input definitions, the output
 * under construction, and what each module learned about every model (keys, relations, auth).
 */
import type { EnumTypeDefinitionNode, FieldDefinitionNode, ObjectTypeDefinitionNode } from 'graphql';
import type { GraphQLPlanAuthRule, GraphQLPlanExternalField, GraphQLPlanRelation } from '@forte/protocol';
import type { AppSyncAuthConfiguration, ResolverConfig, SyncConfig, TransformOptions, TransformParameters } from './config.js';
import { Output } from './output.js';

export type SubscriptionLevel = 'on' | 'public' | 'off';

/** `@model` arguments with defaults applied; `null` switches an operation off. */
export interface ModelConfig {
  queries: { get: string | null; list: string | null; sync: string | null } | null;
  mutations: { create: string | null; update: string | null; delete: string | null } | null;
  subscriptions: { onCreate: string[] | null; onUpdate: string[] | null; onDelete: string[] | null; level: SubscriptionLevel } | null;
  timestamps: { createdAt: string | null; updatedAt: string | null };
}

export interface IndexState {
  name: string;
  partitionField: string;
  sortKeyFields: string[];
  queryField?: string | undefined;
  /** Created by a relation rather than written with `@index`. */
  generated?: boolean;
}

export interface ModelState {
  name: string;
  /** The definition as written (with directives); join models of @manyToMany are synthesised. */
  def: ObjectTypeDefinitionNode;
  config: ModelConfig;
  tableName: string;
  primaryKey: { partitionField: string; sortKeyFields: string[] };
  /** `id` was added by @model (and is removed again when @primaryKey names another field). */
  idAutoAdded: boolean;
  indexes: IndexState[];
  relations: GraphQLPlanRelation[];
  hasAuth: boolean;
  authRules: GraphQLPlanAuthRule[];
  /** The model-level rules as written (model introspection repeats them with codegen's defaults). */
  writtenAuthRules: Record<string, unknown>[];
  fieldAuthRules: Map<string, GraphQLPlanAuthRule[]>;
  defaults: Record<string, string>;
  searchQuery?: string | undefined;
  sync?: SyncConfig | undefined;
  /** The join model a @manyToMany generated (named after its relation). */
  isJoinModel?: boolean;
}

export class Context {
  readonly output = new Output();
  readonly models = new Map<string, ModelState>();
  /** Every object type of the input by name (models and non-models). */
  readonly objects = new Map<string, ObjectTypeDefinitionNode>();
  readonly enums = new Map<string, EnumTypeDefinitionNode>();
  /** Fields served by @function or @http, which the plan names so the cloud can refuse them clearly. */
  readonly externalFields: GraphQLPlanExternalField[] = [];

  constructor(
    readonly authConfig: AppSyncAuthConfiguration,
    readonly params: TransformParameters,
    readonly resolverConfig: ResolverConfig | undefined,
    readonly options: TransformOptions,
  ) {}

  /** DataStore conflict resolution is on (a project-wide or per-model ResolverConfig). */
  get syncEnabled(): boolean {
    const rc = this.resolverConfig;
    return !!rc && (!!rc.project || Object.keys(rc.models ?? {}).length > 0);
  }

  syncConfigFor(model: string): SyncConfig | undefined {
    return this.resolverConfig?.models?.[model] ?? this.resolverConfig?.project;
  }

  isModel(typeName: string): boolean {
    return this.models.has(typeName);
  }

  isEnum(typeName: string): boolean {
    return this.enums.has(typeName);
  }

  /** An object type of the input that is not a model (and not a root type). */
  isNonModelObject(typeName: string): boolean {
    return this.objects.has(typeName) && !this.models.has(typeName) && !['Query', 'Mutation', 'Subscription'].includes(typeName);
  }

  model(name: string): ModelState {
    const m = this.models.get(name);
    if (!m) throw new Error(`internal: unknown model ${name}`);
    return m;
  }

  /** The fields of a model as written in the input. */
  declaredFields(model: string): readonly FieldDefinitionNode[] {
    return this.model(model).def.fields ?? [];
  }
}
