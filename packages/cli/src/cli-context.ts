import {
  UserError,
  type CliInput,
  type CloudEndpoint,
  type FrontendPlugin,
  type PluginContext,
  type Printer,
  type Prompter,
  type ProviderPlugin,
} from '@forte/protocol';
import { loadCategoryPlugin } from './category-plugin.js';
import { environmentSecretStore } from './deployment-secrets.js';
import { readHeadlessPayload } from './headless-payload.js';
import { localCloudEndpoint } from './local-cloud.js';
import { openEditor } from './open-editor.js';
import type { PluginInfo, PluginRegistry } from './plugin-registry.js';
import { LOCAL_PROFILE, readProfiles } from './profiles.js';
import { findProjectRoot, openProject, type ProjectModel } from './project-model.js';

/** The PluginContext plus what core commands need. */
export interface CliContext extends PluginContext {
  home: string;
  registry: PluginRegistry;
  project(): ProjectModel;
  /** Forget the open project (after a command changed its files, e.g. env checkout). */
  reloadProject(): void;
  /** The frontend plugin named `name` (before a project exists: init, pull). */
  frontendByName(name: string): Promise<FrontendPlugin>;
  /** Use this profile for cloud() instead of the environment's (init, pull). */
  useProfile(name: string): void;
  /** Whether cloud() is the local cloud (the environment's profile is the local one and not configured elsewhere). */
  usesLocalCloud(): boolean;
  loadPlugin<T>(info: PluginInfo): Promise<T>;
}

export function createCliContext(options: {
  input: CliInput;
  print: Printer;
  prompt: Prompter;
  cwd: string;
  home: string;
  registry: PluginRegistry;
}): CliContext {
  const { registry, home, print } = options;
  let project: ProjectModel | undefined;
  let profileOverride: string | undefined;
  let cloud: Promise<CloudEndpoint> | undefined;
  const loaded = new Map<string, Promise<unknown>>();

  const loadPlugin = <T>(info: PluginInfo): Promise<T> => {
    let p = loaded.get(info.packageLocation);
    if (!p) loaded.set(info.packageLocation, (p = registry.load<T>(info)));
    return p as Promise<T>;
  };
  const pluginOfType = (name: string, type: 'provider' | 'frontend'): PluginInfo => {
    const info = registry.find(name).find((p) => p.manifest.type === type);
    if (!info)
      throw new UserError(
        `No ${type} plugin named ${name} is installed.`,
        `Install it (npm install) and run \`forte plugin scan\`; \`forte plugin list\` shows what is found.`,
      );
    return info;
  };

  const ctx: CliContext = {
    input: options.input,
    print,
    prompt: options.prompt,
    cwd: options.cwd,
    home,
    registry,
    project() {
      if (project) return project;
      const root = findProjectRoot(options.cwd);
      if (!root)
        throw new UserError(`No Forte project in ${options.cwd} or above it.`, 'Run `forte init` to create one, or `forte pull` to attach to an existing app.');
      return (project = openProject(root));
    },
    reloadProject() {
      project = undefined;
      cloud = undefined;
    },
    async provider() {
      return loadPlugin<ProviderPlugin>(pluginOfType('awscloudformation', 'provider'));
    },
    async frontend() {
      return ctx.frontendByName(ctx.project().config.frontend);
    },
    async frontendByName(name) {
      return loadPlugin<FrontendPlugin>(pluginOfType(name, 'frontend'));
    },
    readHeadlessPayload: () => readHeadlessPayload(),
    useProfile(name) {
      profileOverride = name;
      cloud = undefined;
    },
    cloud() {
      cloud ??= resolveCloud();
      return cloud;
    },
    usesLocalCloud() {
      const name = profileOverride ?? profileOfEnvironment();
      return name === LOCAL_PROFILE && readProfiles(home)[name] === undefined;
    },
    loadPlugin,
    async invokePluginMethod<T>(category: string, method: string, args: unknown[]): Promise<T> {
      const plugin = (await loadCategoryPlugin(ctx, category)) as unknown as Record<string, unknown>;
      const fn = plugin[method];
      if (typeof fn !== 'function')
        throw new UserError(
          `The ${category} category's plugin has no method ${method}.`,
          'Update the plugin (npm install) so that it matches this version of forte; `forte plugin list` shows what is found.',
        );
      return (await (fn as (ctx: PluginContext, ...rest: unknown[]) => Promise<T>).call(plugin, ctx, ...args)) as T;
    },
    deploymentSecrets: environmentSecretStore(() => ctx.project()),
    ...(options.prompt.interactive === false
      ? {}
      : {
          openEditor: (file: string) =>
            openEditor(file, { defaultEditor: findProjectRoot(options.cwd) ? ctx.project().localEnvInfo.defaultEditor : undefined, env: process.env, print }),
        }),
  };

  async function resolveCloud(): Promise<CloudEndpoint> {
    const name = profileOverride ?? profileOfEnvironment();
    const profile = readProfiles(home)[name];
    if (profile) return profile;
    if (name === LOCAL_PROFILE) return localCloudEndpoint(home, print);
    throw new UserError(
      `The profile ${name} is not configured.`,
      `Configure it: forte configure --profile ${name} --endpoint URL --access-key-id K --secret-access-key S`,
    );
  }

  function profileOfEnvironment(): string {
    const root = findProjectRoot(options.cwd);
    if (!root) return LOCAL_PROFILE;
    const p = ctx.project();
    const entry = p.readLocalAwsInfo()[p.envName];
    return typeof entry?.['profileName'] === 'string' ? entry['profileName'] : LOCAL_PROFILE;
  }

  return ctx;
}
