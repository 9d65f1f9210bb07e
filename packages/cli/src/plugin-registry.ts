import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PLUGIN_MANIFEST_FILE, UserError, pluginManifestSchema, pluginPlatformSchema, type PluginEvent, type PluginManifest } from '@forte/protocol';
import { readJsonFile, writeJsonFile } from './json-file.js';

/** One discovered plugin package. */
export interface PluginInfo {
  packageName: string;
  packageVersion: string;
  /** Absolute folder of the package (holds package.json and forte-plugin.json). */
  packageLocation: string;
  manifest: PluginManifest;
}

/** `$FORTE_HOME/plugins.json`. */
export interface PluginPlatform {
  pluginDirectories: string[];
  pluginPrefixes: string[];
  userAddedLocations: string[];
  excluded: Record<string, PluginInfo[]>;
  lastScanTime: string;
  maxScanIntervalInSeconds?: number;
  plugins: Record<string, PluginInfo[]>;
}

/** Stands for every `node_modules` folder above the CLI's own location. */
export const CLI_ANCESTOR_NODE_MODULES = 'cli-ancestor-node-modules';
const DAY_SECONDS = 86_400;

export interface PluginRegistry {
  readonly file: string;
  platform(): PluginPlatform;
  /** Plugins whose name or alias is `name`. */
  find(name: string): PluginInfo[];
  all(): PluginInfo[];
  scan(): PluginPlatform;
  /** Adds a plugin folder (or a package name found in the plugin directories); returns what was added. */
  add(pathOrName: string, cwd: string): PluginInfo;
  /** Moves a plugin to `excluded` (or drops a user-added location); returns what was removed. */
  remove(name: string): PluginInfo[];
  load<T>(info: PluginInfo): Promise<T>;
}

export function openPluginRegistry(options: { home: string; cliDir?: string; coreCommands: ReadonlySet<string> }): PluginRegistry {
  const file = join(options.home, 'plugins.json');
  const cliDir = options.cliDir ?? dirname(fileURLToPath(import.meta.url));
  let state: PluginPlatform | undefined;

  const fresh = (): PluginPlatform => ({
    pluginDirectories: [CLI_ANCESTOR_NODE_MODULES],
    pluginPrefixes: ['forte-'],
    userAddedLocations: [],
    excluded: {},
    lastScanTime: new Date(0).toISOString(),
    maxScanIntervalInSeconds: DAY_SECONDS,
    plugins: {},
  });

  const scan = (base: PluginPlatform): PluginPlatform => {
    const found: PluginInfo[] = [];
    const excludedLocations = new Set(
      Object.values(base.excluded)
        .flat()
        .map((p) => p.packageLocation),
    );
    const consider = (dir: string): void => {
      const info = verifyPlugin(dir, options.coreCommands);
      if (info instanceof Error || excludedLocations.has(info.packageLocation)) return;
      if (found.some((p) => p.packageName === info.packageName)) return; // the nearest copy wins
      found.push(info);
    };
    for (const dir of expandDirectories(base.pluginDirectories, cliDir)) {
      for (const candidate of candidatePackages(dir, base.pluginPrefixes)) consider(candidate);
    }
    for (const location of base.userAddedLocations) consider(location);
    const plugins: Record<string, PluginInfo[]> = {};
    for (const info of found) (plugins[info.manifest.name] ??= []).push(info);
    const next = { ...base, plugins, lastScanTime: new Date().toISOString() };
    writeJsonFile(file, next);
    return next;
  };

  const platform = (): PluginPlatform => {
    if (state) return state;
    const stored = readJsonFile(file, pluginPlatformSchema) as PluginPlatform | undefined;
    const age = stored ? (Date.now() - Date.parse(stored.lastScanTime)) / 1000 : Infinity;
    const vanished = stored
      ? Object.values(stored.plugins)
          .flat()
          .some((p) => !existsSync(join(p.packageLocation, PLUGIN_MANIFEST_FILE)))
      : true;
    state = !stored || vanished || !(age < (stored.maxScanIntervalInSeconds ?? DAY_SECONDS)) ? scan(stored ?? fresh()) : stored;
    return state;
  };

  const all = (): PluginInfo[] => Object.values(platform().plugins).flat();

  return {
    file,
    platform,
    all,
    find: (name) => all().filter((p) => p.manifest.name === name || (p.manifest.aliases ?? []).includes(name)),
    scan: () => (state = scan(platform())),
    add(pathOrName, cwd) {
      const current = platform();
      const direct = isAbsolute(pathOrName) || pathOrName.startsWith('.') ? resolve(cwd, pathOrName) : undefined;
      const location =
        direct ??
        expandDirectories(current.pluginDirectories, cliDir)
          .map((d) => join(d, pathOrName))
          .find((d) => existsSync(d));
      if (!location)
        throw new UserError(
          `No plugin package named ${pathOrName} was found in the plugin directories.`,
          'Install it with npm first, or pass the path of its folder.',
        );
      const info = verifyPlugin(location, options.coreCommands);
      if (info instanceof Error)
        throw new UserError(`${location} is not a Forte plugin: ${info.message}`, `A plugin folder holds package.json and ${PLUGIN_MANIFEST_FILE}.`);
      const excluded = Object.fromEntries(
        Object.entries(current.excluded)
          .map(([k, v]) => [k, v.filter((p) => p.packageLocation !== info.packageLocation)])
          .filter(([, v]) => (v ?? []).length > 0),
      );
      const userAddedLocations = current.userAddedLocations.includes(info.packageLocation)
        ? current.userAddedLocations
        : [...current.userAddedLocations, info.packageLocation];
      state = scan({ ...current, excluded, userAddedLocations });
      return info;
    },
    remove(name) {
      const current = platform();
      const matches = all().filter((p) => p.manifest.name === name || p.packageName === name);
      if (matches.length === 0) throw new UserError(`No plugin named ${name} is installed.`, 'See the installed plugins with `forte plugin list`.');
      const excluded = { ...current.excluded };
      const userAddedLocations = current.userAddedLocations.filter((l) => !matches.some((m) => m.packageLocation === l));
      for (const m of matches) {
        // User-added plugins are simply forgotten; discovered ones must be excluded or the next scan finds them again.
        if (current.userAddedLocations.includes(m.packageLocation)) continue;
        (excluded[m.manifest.name] ??= []).push(m);
      }
      state = scan({ ...current, excluded, userAddedLocations });
      return matches;
    },
    async load<T>(info: PluginInfo): Promise<T> {
      const pkg = JSON.parse(readFileSync(join(info.packageLocation, 'package.json'), 'utf8')) as { main?: string };
      const mod = (await import(pathToFileURL(join(info.packageLocation, pkg.main ?? 'index.js')).href)) as Record<string, unknown>;
      // A plugin may export its interface as the default export or as named exports.
      const candidate = mod['default'];
      return (candidate && typeof candidate === 'object' ? candidate : mod) as T;
    },
  };
}

/** Every `node_modules` folder from the CLI's folder up to the root (plus explicit folders). */
function expandDirectories(directories: string[], cliDir: string): string[] {
  const out: string[] = [];
  for (const entry of directories) {
    if (entry === CLI_ANCESTOR_NODE_MODULES) {
      for (let dir = cliDir; ; dir = dirname(dir)) {
        const nm = join(dir, 'node_modules');
        if (existsSync(nm)) out.push(nm);
        if (dirname(dir) === dir) break;
      }
    } else if (existsSync(entry)) {
      out.push(entry);
    }
  }
  return out;
}

/** `forte-*`, `@<scope>/forte-*` and every `@forte/*` package folder of a node_modules folder. */
function candidatePackages(nodeModules: string, prefixes: string[]): string[] {
  const out: string[] = [];
  const matches = (name: string): boolean => prefixes.some((p) => name.startsWith(p));
  for (const name of safeReaddir(nodeModules)) {
    if (name.startsWith('@')) {
      for (const inner of safeReaddir(join(nodeModules, name))) {
        if (name === '@forte' || matches(inner)) out.push(join(nodeModules, name, inner));
      }
    } else if (matches(name)) {
      out.push(join(nodeModules, name));
    }
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Checks a package folder: package.json readable, manifest valid, name not a core command. */
export function verifyPlugin(dir: string, coreCommands: ReadonlySet<string>): PluginInfo | Error {
  try {
    const location = resolve(dir);
    if (!statSync(location).isDirectory()) return new Error('not a folder');
    const manifestPath = join(location, PLUGIN_MANIFEST_FILE);
    if (!existsSync(manifestPath)) return new Error(`no ${PLUGIN_MANIFEST_FILE}`);
    const pkg = JSON.parse(readFileSync(join(location, 'package.json'), 'utf8')) as { name?: string; version?: string };
    const parsed = pluginManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    if (!parsed.success) return new Error(`invalid ${PLUGIN_MANIFEST_FILE}: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    if (coreCommands.has(parsed.data.name)) return new Error(`the plugin name ${parsed.data.name} is a core command`);
    return { packageName: pkg.name ?? location, packageVersion: pkg.version ?? '0.0.0', packageLocation: location, manifest: parsed.data as PluginManifest };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Read from the manifest itself: plugins.json may have been written by an earlier forte, before eventHandlers existed. */
export function handlesEvent(info: PluginInfo, event: PluginEvent): boolean {
  if (info.manifest.eventHandlers?.includes(event)) return true;
  try {
    const manifest = JSON.parse(readFileSync(join(info.packageLocation, PLUGIN_MANIFEST_FILE), 'utf8')) as { eventHandlers?: unknown };
    return Array.isArray(manifest.eventHandlers) && manifest.eventHandlers.includes(event);
  } catch {
    return false;
  }
}
