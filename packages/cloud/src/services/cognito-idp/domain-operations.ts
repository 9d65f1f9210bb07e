import { randomBytes } from 'node:crypto';
import { isForteError } from '@forte/protocol';
import { cognitoError, invalidParameter } from './cognito-error.js';
import { requirePool, str, type CognitoState } from './cognito-state.js';
import { domainAddress, domainProblem } from './hosted-ui-address.js';
import { describeClientOAuth } from './oauth-client-settings.js';
import { applyClient } from './pool-resources.js';
import type { UserOperation } from './user-operation.js';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The resource handler's checks, answered as the API's InvalidParameterException. */
async function writeClient(state: CognitoState, id: string, props: Record<string, unknown>): Promise<void> {
  try {
    await applyClient(state, id, props);
  } catch (error) {
    if (isForteError(error) && error.status < 500) throw invalidParameter(error.message);
    throw error;
  }
}

/**
 * The hosted UI's admin operations: Create/Describe/DeleteUserPoolDomain and Create/Describe/UpdateUserPoolClient
 * (an app client's OAuth settings). Signed, authorized on the pool's ARN.
 */
export function domainOperations(state: CognitoState): Record<string, UserOperation> {
  const { kernel } = state;
  const describeClient = async (poolId: string, clientId: string): Promise<Record<string, unknown>> => {
    const client = await state.pools.getClient(clientId);
    if (!client || client.poolId !== poolId) throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return {
      UserPoolClient: {
        UserPoolId: client.poolId,
        ClientName: client.name,
        ClientId: client.id,
        ...(client.secret !== undefined ? { ClientSecret: client.secret } : {}),
        RefreshTokenValidity: client.refreshTokenValidityDays,
        AccessTokenValidity: client.accessTokenSeconds,
        IdTokenValidity: client.idTokenSeconds,
        TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds', RefreshToken: 'days' },
        ...(client.readAttributes ? { ReadAttributes: client.readAttributes } : {}),
        ...(client.writeAttributes ? { WriteAttributes: client.writeAttributes } : {}),
        ...(client.explicitAuthFlows ? { ExplicitAuthFlows: client.explicitAuthFlows } : {}),
        PreventUserExistenceErrors: client.preventUserExistenceErrors,
        ...describeClientOAuth(client.oauth),
      },
    };
  };
  /** The API's fields as the resource's properties (RefreshTokenValidity is in days unless its unit says otherwise). */
  const clientProps = (input: Record<string, unknown>, poolId: string, name: string, generateSecret: boolean): Record<string, unknown> => {
    const props: Record<string, unknown> = { UserPoolId: poolId, ClientName: name, GenerateSecret: generateSecret };
    for (const key of [
      'AccessTokenValidity',
      'IdTokenValidity',
      'ReadAttributes',
      'WriteAttributes',
      'ExplicitAuthFlows',
      'PreventUserExistenceErrors',
      'AllowedOAuthFlowsUserPoolClient',
      'AllowedOAuthFlows',
      'AllowedOAuthScopes',
      'CallbackURLs',
      'LogoutURLs',
      'DefaultRedirectURI',
      'SupportedIdentityProviders',
    ])
      if (input[key] !== undefined) props[key] = input[key];
    const units = input.TokenValidityUnits as Record<string, unknown> | undefined;
    if (units)
      props.TokenValidityUnits = { ...(units.AccessToken ? { AccessToken: units.AccessToken } : {}), ...(units.IdToken ? { IdToken: units.IdToken } : {}) };
    if (typeof input.RefreshTokenValidity === 'number')
      props.RefreshTokenValidityDays = units?.RefreshToken === 'hours' ? Math.max(1, Math.round(input.RefreshTokenValidity / 24)) : input.RefreshTokenValidity;
    return props;
  };
  return {
    async CreateUserPoolDomain(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const domain = str(input, 'Domain');
      if (input.CustomDomainConfig !== undefined)
        throw invalidParameter('Custom domains (CustomDomainConfig) are not supported by Forte: use a domain prefix.');
      const problem = domainProblem(domain);
      if (problem) throw invalidParameter(`Domain ${problem}`);
      const result = await state.pools.putDomain(pool.id, domain);
      if (result === 'taken') throw invalidParameter('Domain already associated with another user pool.');
      if (result === 'pool-has-one') throw invalidParameter(`User pool ${pool.id} already has a domain configured.`);
      return { ManagedLoginVersion: 1 };
    },
    async DescribeUserPoolDomain(input) {
      const domain = str(input, 'Domain');
      const pool = await state.pools.poolOfDomain(domain);
      if (!pool) return { DomainDescription: {} };
      return {
        DomainDescription: {
          UserPoolId: pool.id,
          AWSAccountId: kernel.config.accountId,
          Domain: domain,
          // Not a CloudFront distribution: the address aws-amplify's oauth.domain takes (host, port and path).
          CloudFrontDistribution: domainAddress(kernel, domain),
          Version: '1',
          Status: 'ACTIVE',
          ManagedLoginVersion: 1,
        },
      };
    },
    async DeleteUserPoolDomain(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const domain = str(input, 'Domain');
      if (!(await state.pools.deleteDomain(pool.id, domain)))
        throw invalidParameter(`No such domain or user pool exists: ${domain} is not the domain of ${pool.id}.`);
      return {};
    },
    async CreateUserPoolClient(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const id = Array.from(randomBytes(26), (b) => LOWER_ALNUM[b % LOWER_ALNUM.length]).join('');
      await writeClient(state, id, clientProps(input, pool.id, str(input, 'ClientName'), input.GenerateSecret === true));
      return describeClient(pool.id, id);
    },
    async DescribeUserPoolClient(input) {
      const pool = await requirePool(state, input.UserPoolId);
      return describeClient(pool.id, str(input, 'ClientId'));
    },
    /** As Cognito: every setting the request leaves out goes back to its default. */
    async UpdateUserPoolClient(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const clientId = str(input, 'ClientId');
      const client = await state.pools.getClient(clientId);
      if (!client || client.poolId !== pool.id) throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
      const name = typeof input.ClientName === 'string' && input.ClientName !== '' ? input.ClientName : client.name;
      await writeClient(state, client.id, clientProps(input, pool.id, name, client.secret !== undefined));
      return describeClient(pool.id, client.id);
    },
  };
}
