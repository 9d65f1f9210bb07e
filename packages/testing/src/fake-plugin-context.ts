import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmplifyMeta, BackendConfig, PluginContext, Project, ProviderPlugin } from '@forte/protocol';

export interface FakePluginContext {
  ctx: PluginContext;
  project: Project;
  /** Everything printed, one entry per call (tables as `a | b` lines). */
  printed: string[];
  /** Every question asked, in order. */
  asked: string[];
  /** What `ctx.deploymentSecrets` holds: category → resource → key → value (kept in memory, outside the project). */
  secrets: Record<string, Record<string, Record<string, string>>>;
}

/**
 * A PluginContext over a project folder, for category plugin tests: the prompter answers from `answers`
 * (the first key contained in the question) or else the question's default; `--yes` answers every default.
 * The amplify/ files are read and written as plain JSON in `root`.
 */
export function createFakePluginContext(
  root: string,
  options: {
    plugin: string;
    command?: string;
    yes?: boolean;
    headless?: boolean;
    /** A list answers the same question in turn (its last entry from then on). */
    answers?: Record<string, string | boolean | (string | boolean)[]>;
    /** The provider plugin the context hands out (only the methods a test needs). */
    provider?: Partial<ProviderPlugin>;
  },
): FakePluginContext {
  const amplifyDir = join(root, 'amplify');
  const backendDir = join(amplifyDir, 'backend');
  const json = <T>(path: string, fallback: T): T => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback);
  const write = (path: string, value: unknown): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify(value, null, 2));
  };
  const project: Project = {
    root,
    amplifyDir,
    backendDir,
    currentCloudBackendDir: join(amplifyDir, '#current-cloud-backend'),
    envName: 'dev',
    config: { projectName: 'myapp', version: '3.1', frontend: 'javascript', providers: ['awscloudformation'] },
    readBackendConfig: () => json<BackendConfig>(join(backendDir, 'backend-config.json'), {}),
    writeBackendConfig: (c) => write(join(backendDir, 'backend-config.json'), c),
    readMeta: () => json<AmplifyMeta>(join(backendDir, 'amplify-meta.json'), {}),
    writeMeta: (m) => write(join(backendDir, 'amplify-meta.json'), m),
    resourceDir: (category, name) => join(backendDir, category, name),
  };
  const printed: string[] = [];
  const asked: string[] = [];
  const secrets: FakePluginContext['secrets'] = {};
  const turns: Record<string, number> = {};
  const answer = (message: string): string | boolean | undefined => {
    asked.push(message);
    if (options.yes) return undefined;
    const key = Object.keys(options.answers ?? {}).find((k) => message.includes(k));
    if (key === undefined) return undefined;
    const given = options.answers![key]!;
    if (!Array.isArray(given)) return given;
    const turn = (turns[key] = (turns[key] ?? -1) + 1);
    return given[Math.min(turn, given.length - 1)];
  };
  const notUsed = async (): Promise<never> => {
    throw new Error('not used by this test');
  };
  const ctx: PluginContext = {
    input: {
      argv: [],
      plugin: options.plugin,
      command: options.command,
      subCommands: [],
      options: { ...(options.yes ? { yes: true } : {}), ...(options.headless ? { headless: true } : {}) },
    },
    print: {
      info: (m) => void printed.push(m),
      success: (m) => void printed.push(m),
      warn: (m) => void printed.push(m),
      error: (m) => void printed.push(m),
      table: (rows) => void printed.push(rows.map((r) => r.join(' | ')).join('\n')),
    },
    prompt: {
      yes: options.yes ?? false,
      async input(q) {
        const a = answer(q.message);
        const value = typeof a === 'string' ? a : (q.default ?? '');
        const valid = q.validate?.(value) ?? true;
        if (valid !== true) throw new Error(`invalid answer to ${q.message}: ${valid}`);
        return value;
      },
      async confirm(q) {
        const a = answer(q.message);
        return typeof a === 'boolean' ? a : (q.default ?? false);
      },
      async select(q) {
        const a = answer(q.message);
        return (typeof a === 'string' ? a : (q.default ?? q.choices[0]!.value)) as never;
      },
    },
    cwd: root,
    project: () => project,
    provider: async () => (options.provider ?? (await notUsed())) as ProviderPlugin,
    frontend: notUsed,
    readHeadlessPayload: async () => ({}),
    cloud: async () => ({ endpoint: 'http://127.0.0.1:20002', accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'us-east-1' }),
    deploymentSecrets: {
      read: (category, resourceName) => ({ ...(secrets[category]?.[resourceName] ?? {}) }),
      write(category, resourceName, values) {
        const entry = ((secrets[category] ??= {})[resourceName] ??= {});
        for (const [key, value] of Object.entries(values)) {
          if (value === undefined) delete entry[key];
          else entry[key] = value;
        }
        if (Object.keys(entry).length === 0) delete secrets[category]![resourceName];
      },
    },
  };
  return { ctx, project, printed, asked, secrets };
}
