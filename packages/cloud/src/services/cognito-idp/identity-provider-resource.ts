import { AUTH_RESOURCE_TYPES, isForteError } from '@forte/protocol';
import type { ResourceHandler } from '../../kernel/types.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { CognitoState } from './cognito-state.js';
import { checkProvider, checkSamlMetadataUrl } from './identity-providers.js';

/**
 * `Forte::Cognito::UserPoolIdentityProvider` (CloudFormation's AWS::Cognito::UserPoolIdentityProvider): UserPoolId,
 * ProviderName, ProviderType, ProviderDetails, AttributeMapping, IdpIdentifiers. The physical id is
 * `<UserPoolId>:<ProviderName>`; the secrets in ProviderDetails come from NoEcho parameters and are never answered.
 */
export function identityProviderResourceHandlers(state: CognitoState): Record<string, ResourceHandler> {
  const type = AUTH_RESOURCE_TYPES.userPoolIdentityProvider;
  const apply = async (props: Record<string, unknown>) => {
    const poolId = typeof props.UserPoolId === 'string' ? props.UserPoolId : '';
    if (!(await state.pools.getPool(poolId))) throw RESOURCE_ERRORS.error('ValidationException', `${type} UserPoolId: user pool ${poolId} does not exist.`);
    const name = typeof props.ProviderName === 'string' ? props.ProviderName : '';
    const old = await state.providers.get(poolId, name);
    // A rollback re-applies the properties the control service kept, where NoEcho values are masked (`****…`): keep the provider's own.
    const details = keepMaskedDetails(props.ProviderDetails, old?.details);
    let provider;
    try {
      provider = checkProvider({
        poolId,
        name,
        type: typeof props.ProviderType === 'string' ? props.ProviderType : '',
        details,
        attributeMapping: props.AttributeMapping,
        identifiers: props.IdpIdentifiers,
        createdAt: old?.createdAt,
      });
    } catch (error) {
      if (isForteError(error) && error.status < 500) throw RESOURCE_ERRORS.error('ValidationException', `${type} ${error.message}`, { cause: error });
      throw error;
    }
    try {
      await checkSamlMetadataUrl(provider);
    } catch (error) {
      if (isForteError(error) && error.status < 500) throw RESOURCE_ERRORS.error('ValidationException', `${type} ${error.message}`, { cause: error });
      throw error;
    }
    await state.providers.put(provider);
    return { physicalId: `${poolId}:${name}`, attributes: { ProviderName: name } };
  };
  return {
    [type]: {
      replaceOn: ['UserPoolId', 'ProviderName', 'ProviderType'],
      create: (props) => apply(props),
      update: async (_id, props) => apply(props),
      delete: async (id) => {
        const at = id.indexOf(':');
        if (at > 0) await state.providers.delete(id.slice(0, at), id.slice(at + 1));
      },
    },
  };
}

function keepMaskedDetails(details: unknown, old: Record<string, string> | undefined): unknown {
  if (!details || typeof details !== 'object' || Array.isArray(details)) return details;
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [key, typeof value === 'string' && value.startsWith('****') && old?.[key] !== undefined ? old[key] : value]),
  );
}
