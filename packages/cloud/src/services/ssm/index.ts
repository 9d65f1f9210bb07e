import { ENVIRONMENT_CLEANUPS } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import { jsonApiRoute } from '../../kernel/json-api.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { SSM_MIGRATIONS } from './migrations.js';
import { createParameterStore } from './parameter-store.js';
import { createReadOperations } from './read-operations.js';
import { SSM_ERRORS } from './ssm-errors.js';
import { createWriteOperations } from './write-operations.js';

/** The API's path; SDK clients given only the cloud's base URL reach it at `/` too (the kernel dispatches by target). */
export const SSM_API_PATH = '/ssm/';

/**
 * SSM Parameter Store: `POST /ssm/` (AWS JSON 1.1, `AmazonSSM.*`, SigV4 service `ssm`, every call
 * authorized as `ssm:<Operation>` on the parameter's ARN). SecureString values are sealed with
 * `kernel.secrets`. Provides `ENVIRONMENT_CLEANUPS`: a deleted environment's `/amplify/<appId>/<env>/`
 * parameters (Amplify's function secrets and parameters) go with it.
 */
export function createSsmService(kernel: Kernel): Service {
  const log = kernel.log.child({ service: 'ssm' });
  const ssm = { store: createParameterStore(kernel.sql, kernel.secrets), region: kernel.config.region, accountId: kernel.config.accountId };
  return {
    name: 'ssm',
    provides: [
      provide(ENVIRONMENT_CLEANUPS, async ({ appId, envName }) => {
        const path = `/amplify/${appId}/${envName}`;
        const deleted = await ssm.store.deleteUnder(path);
        if (deleted > 0) log.info('deleted the parameters of a deleted environment', { path, deleted });
        return deleted;
      }),
    ],
    routes: [
      jsonApiRoute({
        name: 'ssm',
        path: SSM_API_PATH,
        targetPrefix: 'AmazonSSM.',
        signingService: 'ssm',
        actionPrefix: 'ssm',
        operations: { ...createReadOperations(ssm), ...createWriteOperations(ssm) },
        errors: SSM_ERRORS,
        validationErrorCode: 'ValidationException',
      }),
    ],
    start: () => kernel.sql.migrate('ssm', SSM_MIGRATIONS),
  };
}
