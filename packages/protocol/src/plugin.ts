import type { AmplifyMeta, BackendConfig, ProjectConfig, ProviderEnvInfo } from './project-files.js';
import type { Template } from './template.js';

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
}

/** A problem the user can fix: the CLI prints `message`, then `resolution`, and exits 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly resolution: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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
  input(question: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
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
}

export interface CategoryPlugin {
  executeCommand(ctx: PluginContext): Promise<void>;
  executeHeadlessCommand?(ctx: PluginContext, payload: unknown): Promise<void>;
  /** Build the nested template of one resource (called by push for resources to create or update). */
  build?(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild>;
  /** Deploy the built frontend (hosting categories). Returns the live URL. */
  publish?(ctx: PluginContext, resource: ResourceRef, options: { distributionDir: string }): Promise<{ url: string }>;
}

export interface LocalSiteFile {
  /** Site path with forward slashes, no leading slash. */
  path: string;
  absolutePath: string;
}

export interface ProviderPlugin {
  /** Create (or attach to) the app and create the environment with its root stack; returns the root outputs. */
  initEnv(ctx: PluginContext, args: { projectName: string; envName: string; appId?: string }): Promise<ProviderEnvInfo>;
  /** Upload a site's files and switch the site to them atomically. */
  deploySite(ctx: PluginContext, args: { siteId: string; files: LocalSiteFile[] }): Promise<{ url: string; uploaded: number; deploymentId: string }>;
}

export interface FrontendPlugin {
  /** Frontend questions at init (framework, SourceDir, DistributionDir, BuildCommand, StartCommand). */
  init(ctx: PluginContext, headless?: Record<string, unknown>): Promise<{ frontend: string; [key: string]: unknown }>;
  /** Write aws-exports.js and amplify_outputs.json from amplify-meta. */
  createFrontendConfigs(ctx: PluginContext, meta: AmplifyMeta): Promise<string[]>;
  build(ctx: PluginContext): Promise<void>;
  start(ctx: PluginContext): Promise<void>;
  /** Absolute path of the DistributionDir. */
  distributionDir(ctx: PluginContext): string;
}
