import { createCloudProvider } from './cloud-provider.js';

export { createCloudProvider } from './cloud-provider.js';
export { createSignedClient, CloudRequestError, type SignedClient, type CloudCredentials } from './signed-client.js';
export { deploySite } from './deploy-site.js';
export { buildRootTemplate, nestedTemplateKey, logicalIdOf } from './root-template.js';
export { encodeBackendSnapshot, decodeBackendSnapshot, BACKEND_SNAPSHOT_VERSION } from './backend-snapshot.js';

/** The provider plugin the CLI loads (forte-plugin.json: `awscloudformation`). */
const provider = createCloudProvider();
export default provider;
