/** Test helpers: an in-process cloud on a free port, and temp folders. Dev-only. */
export { startTestCloud, type TestCloud, type TestCloudOptions } from './start-test-cloud.js';
export { makeTempDir } from './make-temp-dir.js';
export * from './fake-plugin-context.js';
export * from './call-failure.js';
export { identityPoolTrust } from './identity-pool-trust.js';
export { createTestIdentityPool, createTestUsers, type TestRoleGrant } from './test-identity-pool.js';
export { ControlCallError, createTestControlClient, type TestControlClient } from './control-client.js';
export * from './lambda-fixture.js';
export { TEST_POSTGRES_SERVER, dropTestSchema, postgresTestUrl, testPostgres } from './postgres.js';
export { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.js';
export { TEST_NATS_URL, testNats } from './nats.js';
export { clusterSkipReason, startCluster, type TestCluster } from './start-cluster.js';
export { startTestBlobStore, type TestBlobStore } from './test-blob-store.js';
export { CLOUD_BIN, startCloudProcess, type CloudProcess } from './cloud-process.js';
export { PROXY_TEST_ADDRESS, proxyAddressSkipReason, requestFrom } from './request-from.js';
export { mailboxMessages, totpCode } from './user-pool-codes.js';
export { startLocalOidcProvider, type IdTokenTampering, type LocalOidcProvider } from './local-oidc-provider.js';
export { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
