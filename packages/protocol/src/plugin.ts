import { z } from 'zod';
import type { MailboxMessage } from './auth-resources.js';
import type { App, DeletedDataCopy, Deployment, DeployedResource, Environment, ResourceChange, RestoredDataCopy, StackEvent } from './control-api.js';
import type { AmplifyMeta, BackendConfig, ProjectConfig, ProviderEnvInfo } from './project-files.js';
import type { Template } from './template.js';
import { FORTE_ERROR } from './errors.js';

/**
 * The contract between the `forte` CLI and its plugins (categories, providers, frontends). The official
 * plugins are found by the same discovery as third-party ones: npm packages named `forte-*`,
 * `@scope/forte-*` or `@forte/*` that carry a `forte-plugin.json` manifest next to their package.json,
 * and whose main module exports the interface of their type.
 */
export const PLUGIN_MANIFEST_FILE = 'forte-plugin.json';

export type PluginType = 'category' | 'provider' | 'frontend' | 'util';

export interface PluginManifest {
  /** First CLI word (`forte <name> <command>` = `forte <command> <name>`). */
  name: string;
  type: PluginType;
  displayName?: string;
  aliases?: string[];
  commands: string[];
  commandAliases?: Record<string, string>;
  /** Services of amplify-meta this plugin owns (e.g. `amplifyhosting`, `S3AndCloudFront`). */
  services?: string[];
  /**
   * The options each command accepts besides the CLI's own (`--yes`, `--headless`, `--help`), by command
   * name: `forte <command> <plugin> --help` lists them, and the CLI refuses any other option for that
   * command. A command left out accepts any option, as before plugins declared theirs.
   */
  options?: Record<string, PluginCommandOption[]>;
  /** Events the plugin handles (Amplify's manifest field); the CLI loads only the plugins that list an event when it happens. */
  eventHandlers?: PluginEvent[];
}

/**
 * `PostPush`: after a push deployed its changes (the plugin's `handlePostPush`). `PostEnvAdd`: after `forte env
 * add` created an environment and checked it out (the plugin's `handlePostEnvAdd`). `CheckOutdated`: before a push
 * reuses the last template of a resource whose files did not change (the plugin's `outdated`). `PostInit`: after
 * `forte init` attached an existing project (the plugin's `handlePostInit`).
 */
export type PluginEvent = 'PostPush' | 'PostEnvAdd' | 'CheckOutdated' | 'PostInit';

/** One option of a plugin command (`--max-depth N`), as `forte <command> <plugin> --help` shows it. */
export interface PluginCommandOption {
  /** Long name without the dashes. */
  name: string;
  /** What the value stands for (`N`, `DIR`); absent for a flag without a value. */
  value?: string;
  /** One line: what it does. */
  description: string;
}

const pluginCommandOptionSchema = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'option names are letters, digits and dashes'),
  value: z.string().optional(),
  description: z.string(),
});

/** Runtime check of a `forte-plugin.json` manifest (the CLI refuses plugins whose manifest fails it). */
export const pluginManifestSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'plugin names are lowercase letters, digits and dashes'),
    type: z.enum(['category', 'provider', 'frontend', 'util']),
    displayName: z.string().optional(),
    aliases: z.array(z.string()).optional(),
    commands: z.array(z.string()),
    commandAliases: z.record(z.string(), z.string()).optional(),
    services: z.array(z.string()).optional(),
    options: z.record(z.string(), z.array(pluginCommandOptionSchema)).optional(),
    eventHandlers: z.array(z.enum(['PostPush', 'PostEnvAdd', 'CheckOutdated', 'PostInit'])).optional(),
  })
  .passthrough();

/**
 * A problem the user can fix: the CLI prints `message`, then `resolution`, and exits 1. Recognise it with
 * `isUserError`: a plugin may throw the UserError of its own copy of this package.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly [FORTE_ERROR] = 'user' as const;
  constructor(
    message: string,
    readonly resolution: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether `value` is a UserError, made by this copy of the package or any other. */
export function isUserError(value: unknown): value is UserError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<typeof FORTE_ERROR | 'message' | 'resolution', unknown>>;
  return candidate[FORTE_ERROR] === 'user' && typeof candidate.message === 'string' && typeof candidate.resolution === 'string';
}

export interface CliInput {
  argv: string[];
  plugin: string | undefined;
  command: string | undefined;
  subCommands: string[];
  options: Record<string, string | boolean>;
}

export interface Printer {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Box table like Amplify's (cli-table3 style); first row is the header. */
  table(rows: string[][]): void;
}

export interface Choice<T extends string> {
  name: string;
  value: T;
  description?: string;
}

/** Questions. With `--yes`, every question answers its default without asking. */
export interface Prompter {
  readonly yes: boolean;
  /** False when there is no terminal to ask in (without `yes`, any question then fails): commands say so before printing anything. */
  readonly interactive?: boolean;
  /** `secret`: what is typed is not shown (a masked prompt; such a question has no default to show). */
  input(question: { message: string; default?: string; validate?: (value: string) => true | string; secret?: boolean }): Promise<string>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
  select<T extends string>(question: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
}

/** The open project: paths and the amplify/ files (read and written with validation). */
export interface Project {
  root: string;
  amplifyDir: string;
  backendDir: string;
  currentCloudBackendDir: string;
  envName: string;
  config: ProjectConfig;
  readBackendConfig(): BackendConfig;
  writeBackendConfig(config: BackendConfig): void;
  readMeta(): AmplifyMeta;
  writeMeta(meta: AmplifyMeta): void;
  /** `amplify/backend/<category>/<resourceName>` */
  resourceDir(category: string, resourceName: string): string;
}

export interface ResourceRef {
  category: string;
  resourceName: string;
  service: string;
  /** Absolute path of `amplify/backend/<category>/<resourceName>`. */
  dir: string;
}

/** What a category's build() hands the provider: the resource's nested stack template. */
export interface ResourceBuild {
  template: Template;
  /** Values for the template's Parameters (the provider adds `env`, `AppId` and dependsOn attributes). */
  parameters?: Record<string, unknown>;
  /**
   * Files the template refers to by deployment-bucket key (a function's code zip under `amplify-builds/`),
   * uploaded by the provider before the change set. Keys are content-addressed: a key the bucket already
   * holds is not uploaded again.
   */
  assets?: { key: string; body: Buffer }[];
  /**
   * The project-relative file the template was read from (users edit it), e.g.
   * `amplify/backend/function/f/f-cloudformation-template.json`; undefined for a generated template.
   * The cloud names it in every refusal of the template.
   */
  sourceFile?: string;
}

/** Where a Forte Cloud answers and the admin keys to sign with (a profile of `forte configure`). */
export interface CloudEndpoint {
  /** Base URL, e.g. `http://127.0.0.1:20002`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface PluginContext {
  input: CliInput;
  print: Printer;
  prompt: Prompter;
  cwd: string;
  /** The project in cwd; throws a UserError naming `forte init` when there is none. */
  project(): Project;
  /** The provider plugin of the project (the cloud). */
  provider(): Promise<ProviderPlugin>;
  /** The project's frontend plugin. */
  frontend(): Promise<FrontendPlugin>;
  /** One line of JSON read from stdin (for `--headless`), parsed; a UserError on malformed JSON. */
  readHeadlessPayload(): Promise<unknown>;
  /**
   * The cloud of the current environment (its profile in local-aws-info.json, else `default`). For the
   * `default` profile the CLI starts the local cloud when it is not running.
   */
  cloud(): Promise<CloudEndpoint>;
  /**
   * Opens a file in the user's editor and resolves when the editor exits: `$VISUAL`, else `$EDITOR`, else the
   * project's default editor (local-env-info.json). When none can be started it says so and resolves, so
   * the command goes on. Absent in contexts without a terminal.
   */
  openEditor?(file: string): Promise<void>;
  /**
   * Calls a method that another category's plugin exports besides the plugin interface (Amplify's
   * `invokePluginMethod`): the REST API walkthrough creates its function through the function category, the
   * auth walkthrough its trigger functions. Throws a UserError when no plugin of that category is installed or
   * it does not export `method`. Absent in contexts that cannot load plugins.
   */
  invokePluginMethod?<T = unknown>(category: string, method: string, args: unknown[]): Promise<T>;
  /**
   * The current environment's deployment secrets (values a repository never holds, as Amplify's
   * `deployment-secrets.json`: social sign-in credentials as `hostedUIProviderCreds`), by category and resource.
   * Absent in contexts without a per-machine home.
   */
  deploymentSecrets?: DeploymentSecretStore;
}

/** One environment's deployment secrets of the open project, kept outside the repository. */
export interface DeploymentSecretStore {
  /**
   * The values of one resource (empty when none is stored); `envName`: those of another environment of the
   * project (`env add` carrying values over from the environment it was added from).
   */
  read(category: string, resourceName: string, envName?: string): Record<string, string>;
  /** Sets the given keys of one resource; a key given as undefined is removed (a resource left empty is dropped). */
  write(category: string, resourceName: string, values: Record<string, string | undefined>): void;
}

export interface CategoryPlugin {
  executeCommand(ctx: PluginContext): Promise<void>;
  executeHeadlessCommand?(ctx: PluginContext, payload: unknown): Promise<void>;
  /** Build the nested template of one resource (called by push for resources to create or update). */
  build?(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild>;
  /**
   * Whether a resource whose files did not change since its last push must be built again, because what its build
   * reads elsewhere in the project changed (an API's admin roles are the roles of the functions with access to it).
   * `deployed` is what the last push built. Called by push for such resources of its scope, when the plugin's manifest
   * lists the `CheckOutdated` event (the CLI loads no other plugin for it).
   */
  outdated?(ctx: PluginContext, resource: ResourceRef, deployed: ResourceBuild): Promise<boolean>;
  /** Deploy the built frontend (hosting categories). Returns the live URL. */
  publish?(ctx: PluginContext, resource: ResourceRef, options: { distributionDir: string }): Promise<{ url: string }>;
  /**
   * After a push deployed its changes (for plugins whose manifest lists `PostPush`), with the project files
   * already up to date. The push has succeeded: what this throws is printed as a warning.
   */
  handlePostPush?(ctx: PluginContext, pushed: PushedResources): Promise<void>;
  /**
   * After `forte env add` created `envName` from `sourceEnv` and checked it out (for plugins whose manifest
   * lists `PostEnvAdd`): the function category carries the functions' secrets over, as Amplify does. The
   * environment exists: what this throws is printed as a warning.
   */
  handlePostEnvAdd?(ctx: PluginContext, envs: { sourceEnv: string; envName: string }): Promise<void>;
  /**
   * After `forte init` attached an existing project (a fresh clone) and created its environment (for plugins whose
   * manifest lists `PostInit`): what the plugin's resources need before the first push. What this throws is printed
   * as a warning.
   */
  handlePostInit?(ctx: PluginContext): Promise<void>;
}

/** What a successful push deployed. */
export interface PushedResources {
  /** Deployed for the first time (Amplify's resourcesToBeCreated). */
  created: ResourceRef[];
  /** Deployed before, changed by this push. */
  updated: ResourceRef[];
}

export interface LocalSiteFile {
  /** Site path with forward slashes, no leading slash. */
  path: string;
  absolutePath: string;
}

/** Logical id of a resource's nested stack in the root stack: `<category><resourceName>` (alphanumeric). */
export function resourceLogicalId(category: string, resourceName: string): string {
  return `${category}${resourceName}`.replace(/[^A-Za-z0-9]/g, '');
}

/** Deployment-bucket key (and TemplateURL) of a resource's nested template. */
export function nestedTemplateKey(category: string, resourceName: string): string {
  return `amplify-cfn-templates/${category}/${resourceName}-template.json`;
}

/** One resource of the root stack of a push (every resource the environment keeps, changed or not). */
export interface PushResource {
  category: string;
  resourceName: string;
  template: Template;
  parameters?: Record<string, unknown>;
  /**
   * The environment's own values for this resource: `team-provider-info.json` `<env>.categories.<category>.<resource>`
   * (Amplify's env parameters). Passed only for parameters the template declares; `parameters` wins over them.
   */
  environmentParameters?: Record<string, unknown>;
  dependsOn?: { category: string; resourceName: string; attributes: string[] }[];
  /** The build's assets (`ResourceBuild.assets`), uploaded before the change set. */
  assets?: { key: string; body: Buffer }[];
  /** As `ResourceBuild.sourceFile`. */
  sourceFile?: string;
}

export interface PushRequest {
  appId: string;
  envName: string;
  envInfo: ProviderEnvInfo;
  resources: PushResource[];
  /** Files of the backend folder (relative path with forward slashes → content), stored as the env's snapshot. */
  snapshot: Record<string, Buffer>;
  /** `<user>@<host> (pid N)`. */
  initiatedBy: string;
  /** Shown the planned changes; false cancels the push (the change set is left unexecuted). */
  confirm(changes: ResourceChange[]): Promise<boolean>;
  /** Called right before ExecuteChangeSet is sent (the CLI writes its push marker here). */
  beforeExecute(info: { changeSetId: string; snapshotKey: string }): void;
  /** Called once ExecuteChangeSet answered. */
  onDeploymentStarted(deployment: Deployment): void;
  /** Each stack event, in order, while the deployment runs. */
  onEvent(event: StackEvent): void;
}

/** Outputs of an environment's last successful deployment. */
export interface StackOutputs {
  rootOutputs: Record<string, unknown>;
  /** By logical id of the resource's nested stack (`<category><resourceName>`). */
  resourceOutputs: Record<string, Record<string, unknown>>;
}

export interface PushResult extends StackOutputs {
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  deployment?: Deployment;
  snapshotKey: string;
  /** Deployment-bucket key of each nested template, by logical id. */
  templateKeys: Record<string, string>;
  /** The failing resource and why (status FAILED). */
  failure?: string;
}

export interface ProviderPlugin {
  /** Create (or attach to) the app and create the environment with its root stack; returns the root outputs. */
  initEnv(ctx: PluginContext, args: { projectName: string; envName: string; appId?: string }): Promise<ProviderEnvInfo>;
  /** Upload templates and the backend snapshot, plan, confirm, deploy and follow the deployment to its end. */
  pushResources(ctx: PluginContext, request: PushRequest): Promise<PushResult>;
  getDeployment(ctx: PluginContext, deploymentId: string): Promise<Deployment>;
  getApp(ctx: PluginContext, args: { appId: string }): Promise<App>;
  /** Outputs of the environment's deployed stack (root and per nested stack). */
  readOutputs(ctx: PluginContext, args: { appId: string; envName: string }): Promise<StackOutputs>;
  getEnvironment(ctx: PluginContext, args: { appId: string; envName: string }): Promise<Environment>;
  listEnvironments(ctx: PluginContext, args: { appId: string }): Promise<Environment[]>;
  describeStack(ctx: PluginContext, args: { appId: string; envName: string }): Promise<{ environment: Environment; resources: DeployedResource[] }>;
  /** Deletes the environment's resources, then the environment. */
  deleteEnvironment(ctx: PluginContext, args: { appId: string; envName: string }): Promise<void>;
  deleteApp(ctx: PluginContext, args: { appId: string }): Promise<void>;
  /**
   * Files of a backend snapshot (the env's current one unless `key` is given); undefined when the env
   * was never pushed.
   */
  downloadBackendSnapshot(ctx: PluginContext, args: { appId: string; envName: string; key?: string }): Promise<Record<string, Buffer> | undefined>;
  /** Upload a site's files and switch the site to them atomically. */
  deploySite(ctx: PluginContext, args: { siteId: string; files: LocalSiteFile[] }): Promise<{ url: string; uploaded: number; deploymentId: string }>;
  /** Messages of the cloud's mailbox (verification, reset and MFA codes), newest first (`forte mailbox`). */
  listMailbox?(ctx: PluginContext, args: { to?: string; limit?: number }): Promise<MailboxMessage[]>;
  /** A one-time link that signs a browser in to the cloud's web console (`forte console`); the url is a secret. */
  createConsoleLoginLink?(ctx: PluginContext): Promise<{ url: string; expiresAt: string }>;
  /** Copies of data that deployments of the environment deleted, which can still be restored, newest first. */
  listDeletedData?(ctx: PluginContext, args: { appId: string; envName: string }): Promise<DeletedDataCopy[]>;
  /**
   * Restores copies of deleted data into the resources deployed now (all, or those of `resource`); refused
   * (a UserError) when none of them is deployed. `waiting`: copies whose resource is not deployed now.
   */
  restoreDeletedData?(
    ctx: PluginContext,
    args: { appId: string; envName: string; resource?: string },
  ): Promise<{ restored: RestoredDataCopy[]; waiting: DeletedDataCopy[] }>;
}

/** A frontend's settings in project-config.json: `frontend` names the plugin, the rest is its own section. */
export interface FrontendSettings {
  frontend: string;
  [key: string]: unknown;
}

export interface FrontendPlugin {
  /**
   * Frontend questions at init (framework, SourceDir, DistributionDir, BuildCommand, StartCommand). With
   * `useDefaults` nothing is asked: the settings detected from the project folder (init shows them in its
   * summary and applies them when the user accepts it).
   */
  init(ctx: PluginContext, headless?: Record<string, unknown>, options?: { useDefaults?: boolean }): Promise<FrontendSettings>;
  /** The summary lines of these settings that init prints before asking to apply them (`Javascript framework: react`). */
  describeSettings?(settings: FrontendSettings): string[];
  /** Write aws-exports.js and amplify_outputs.json from amplify-meta. */
  createFrontendConfigs(ctx: PluginContext, meta: AmplifyMeta): Promise<string[]>;
  build(ctx: PluginContext): Promise<void>;
  start(ctx: PluginContext): Promise<void>;
  /** Absolute path of the DistributionDir. */
  distributionDir(ctx: PluginContext): string;
}
