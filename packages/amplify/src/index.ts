import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { forteAmplifyConfig, forteEndpointOf, type AmplifyOutputs, type ForteConfigureOptions } from './forte-amplify-config.js';
import { installWebSocket } from './forte-websocket.js';

export { forteAmplifyConfig, forteEndpointOf, restApisOf, type AmplifyOutputs, type ForteConfigureOptions } from './forte-amplify-config.js';
export { rewriteUrl } from './forte-websocket.js';

/**
 * Configures aws-amplify v6 for a Forte Cloud from the generated amplify_outputs.json: Cognito endpoint
 * overrides, and a WebSocket that reaches a plain-http cloud (in Node 20 one from `ws`).
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
  return installWebSocket(forteEndpointOf(outputs, options)).then(() => config);
}
