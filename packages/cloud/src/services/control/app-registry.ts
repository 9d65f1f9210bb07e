import type { App, Environment } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { controlError } from './control-errors.js';
import {
  deleteAppRow,
  insertApp,
  insertEnvironment,
  listApps,
  listEnvironments,
  nowIso,
  publicEnvironment,
  readApp,
  readEnvironment,
  slugTaken,
  type EnvironmentRecord,
} from './control-store.js';
import { refuseWhileCleanupPending } from './environment-cleanups.js';
import { newAppId, newStackName } from './new-ids.js';

/** Apps and environments: the records a stack belongs to. */
export interface AppRegistry {
  createApp(name: string): Promise<App>;
  getApp(appId: string): Promise<App>;
  listApps(): Promise<App[]>;
  /** Refused with ResourceInUseException while the app has environments. */
  deleteApp(appId: string): Promise<void>;
  createEnvironment(appId: string, envName: string): Promise<Environment>;
  getEnvironment(appId: string, envName: string): Promise<EnvironmentRecord>;
  listEnvironments(appId: string): Promise<Environment[]>;
}

export function createAppRegistry(sql: SqlStore): AppRegistry {
  const getApp = async (appId: string): Promise<App> => {
    const app = await readApp(sql, appId);
    if (!app) throw controlError('ResourceNotFoundException', `App ${appId} does not exist. List apps with ListApps, or create one with CreateApp.`);
    return app;
  };
  return {
    async createApp(name) {
      return sql.transaction(async (tx) => {
        // Amplify allows two apps with one name; the slug (used in host names) is what stays unique.
        const base = name.toLowerCase();
        let slug = base;
        for (let n = 2; await slugTaken(tx, slug); n++) slug = `${base}-${n}`;
        const app: App = { appId: newAppId(), name, slug, createdAt: nowIso() };
        await insertApp(tx, app);
        return app;
      });
    },
    getApp,
    listApps: () => listApps(sql),
    async deleteApp(appId) {
      await sql.transaction(async (tx) => {
        const app = await readApp(tx, appId);
        if (!app) throw controlError('ResourceNotFoundException', `App ${appId} does not exist.`);
        const envs = await listEnvironments(tx, appId);
        if (envs.length > 0) {
          throw controlError(
            'ResourceInUseException',
            `App ${app.name} (${appId}) still has environments: ${envs.map((e) => e.envName).join(', ')}. Delete them first (DeleteEnvironment, or \`forte env remove\`).`,
          );
        }
        await deleteAppRow(tx, appId);
      });
    },
    async createEnvironment(appId, envName) {
      return sql.transaction(async (tx) => {
        const app = await readApp(tx, appId);
        if (!app) throw controlError('ResourceNotFoundException', `App ${appId} does not exist. Create it with CreateApp first.`);
        if (await readEnvironment(tx, appId, envName)) {
          throw controlError(
            'ConflictException',
            `Environment ${envName} already exists in app ${app.name} (${appId}). Pick another name, or use the existing one.`,
          );
        }
        await refuseWhileCleanupPending(tx, appId, envName);
        const now = nowIso();
        const env: EnvironmentRecord = {
          appId,
          envName,
          stackName: newStackName(app.name, envName),
          status: 'NEW',
          createdAt: now,
          updatedAt: now,
          outputs: {},
          generation: 0,
        };
        await insertEnvironment(tx, env);
        return publicEnvironment(env);
      });
    },
    async getEnvironment(appId, envName) {
      const env = await readEnvironment(sql, appId, envName);
      if (!env) {
        await getApp(appId);
        throw controlError(
          'ResourceNotFoundException',
          `Environment ${envName} does not exist in app ${appId}. List them with ListEnvironments, or create it with CreateEnvironment.`,
        );
      }
      return env;
    },
    async listEnvironments(appId) {
      await getApp(appId);
      return (await listEnvironments(sql, appId)).map(publicEnvironment);
    },
  };
}
