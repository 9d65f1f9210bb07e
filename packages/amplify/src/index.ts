import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { forteAmplifyConfig, forteEndpointOf, type AmplifyOutputs, type ForteConfigureOptions } from './forte-amplify-config.js';
import { installStorageTransport } from './forte-storage-transport.js';
import { installWebSocket } from './forte-websocket.js';

export { forteAmplifyConfig, forteEndpointOf, restApisOf, type AmplifyOutputs, type ForteConfigureOptions } from './forte-amplify-config.js';
export { rewriteUrl } from './forte-websocket.js';
export { installStorageTransport, rewriteKinesisUrl, rewriteStorageUrl, storageUrl } from './forte-storage-transport.js';

/**
 * Configures aws-amplify v6 for a Forte Cloud from the generated amplify_outputs.json: Cognito endpoint
 * overrides, a WebSocket that reaches a plain-http cloud (in Node 20 one from `ws`), and the Storage
 * transport that sends the S3 requests for the app's buckets, and Kinesis analytics calls made through fetch (a
 * browser's), to the cloud (see forte-storage-transport.ts).
 *
 * Amplify is configured before this returns its promise, so auth works without awaiting; await it before
 * opening GraphQL subscriptions (the WebSocket may still be loading in Node).
 *
 * @example
 * import outputs from '../amplify_outputs.json';
 * import { configure } from '@forte/amplify';
 * await configure(outputs);
 */
export function configure(outputs: AmplifyOutputs, options: ForteConfigureOptions = {}): Promise<ResourcesConfig> {
  const config = forteAmplifyConfig(outputs, options);
  Amplify.configure(config);
  // Also without buckets: aws-amplify's Kinesis analytics, which an app configures itself, goes through it.
  installStorageTransport(forteEndpointOf(outputs, options), storageBucketsOf(config));
  return installWebSocket(forteEndpointOf(outputs, options)).then(() => config);
}

/** The S3 bucket names of a configuration: the default bucket and every named one. */
function storageBucketsOf(config: ResourcesConfig): string[] {
  const s3 = config.Storage?.S3;
  if (!s3) return [];
  const names = new Set<string>();
  if (s3.bucket) names.add(s3.bucket);
  for (const entry of Object.values(s3.buckets ?? {})) if (entry.bucketName) names.add(entry.bucketName);
  return [...names];
}
