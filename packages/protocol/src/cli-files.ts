import { z } from 'zod';
import { pluginManifestSchema } from './plugin.js';

/**
 * Files of the `forte` CLI outside a project, in `$FORTE_HOME` (default `~/.forte`), and the per-project
 * files Amplify does not have. Some are written by the cloud's bin and read by the CLI.
 */

/**
 * `$FORTE_HOME/cloud/cloud.json`: written by the cloud's bin once it listens, removed on SIGTERM. `httpsUrl`: its
 * HTTPS listener (the hosted UI), when it has one.
 */
export const localCloudInfoSchema = z.object({ pid: z.number().int(), port: z.number().int(), url: z.string(), httpsUrl: z.string().optional() }).passthrough();
export type LocalCloudInfo = z.infer<typeof localCloudInfoSchema>;

/** `$FORTE_HOME/cloud/admin-credentials.json`: the local cloud's admin keys (created at its first start). */
export const adminCredentialsSchema = z.object({ accessKeyId: z.string(), secretAccessKey: z.string(), region: z.string().optional() }).passthrough();

/** One named profile of `$FORTE_HOME/profiles.json` (mode 0600): where a cloud answers and its admin keys. */
export const cloudProfileSchema = z.object({
  endpoint: z.string().url(),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  region: z.string().min(1),
});
export const cloudProfilesSchema = z.record(z.string(), cloudProfileSchema);

export const pluginInfoSchema = z.object({ packageName: z.string(), packageVersion: z.string(), packageLocation: z.string(), manifest: pluginManifestSchema });
/** `$FORTE_HOME/plugins.json`: the discovered plugins (Amplify's PluginPlatform shape). */
export const pluginPlatformSchema = z.object({
  pluginDirectories: z.array(z.string()),
  pluginPrefixes: z.array(z.string()),
  userAddedLocations: z.array(z.string()),
  excluded: z.record(z.string(), z.array(pluginInfoSchema)),
  lastScanTime: z.string(),
  maxScanIntervalInSeconds: z.number().optional(),
  plugins: z.record(z.string(), z.array(pluginInfoSchema)),
});

/**
 * `amplify/.config/local-push-state.json`: written before a deployment starts, removed once the local
 * files are final; after a crash or Ctrl-C it tells status and push which deployment to ask about.
 */
export const pushMarkerSchema = z.object({
  deploymentId: z.string().optional(),
  changeSetId: z.string().optional(),
  envName: z.string(),
  startedAt: z.string(),
  /** Deployment-bucket key of the backend snapshot this push uploaded. */
  snapshotKey: z.string(),
  /** Logical ids of the resources in the pushed root stack. */
  resources: z.array(z.string()),
  templateKeys: z.record(z.string(), z.string()).optional(),
});
export type PushMarker = z.infer<typeof pushMarkerSchema>;
