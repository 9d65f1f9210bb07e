import { cognitoError, invalidParameter } from './cognito-error.js';
import { requirePool, type CognitoState } from './cognito-state.js';
import type { UserOperation } from './user-operation.js';

interface ProviderUser {
  ProviderName: string;
  ProviderAttributeName: string | undefined;
  ProviderAttributeValue: string;
}

function providerUser(input: unknown, field: string): ProviderUser {
  const value = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const name = value.ProviderName;
  const attributeValue = value.ProviderAttributeValue;
  if (typeof name !== 'string' || name === '' || typeof attributeValue !== 'string' || attributeValue === '')
    throw invalidParameter(`${field} needs ProviderName and ProviderAttributeValue.`);
  return {
    ProviderName: name,
    ProviderAttributeName: typeof value.ProviderAttributeName === 'string' ? value.ProviderAttributeName : undefined,
    ProviderAttributeValue: attributeValue,
  };
}

type Identity = { userId: string; providerName: string; providerType: string; issuer: string | null; primary: boolean; dateCreated: number };
const identitiesOf = (text: string | undefined): Identity[] => (text ? (JSON.parse(text) as Identity[]) : []);

/**
 * AdminLinkProviderForUser and AdminDisableProviderForUser: a native user who also signs in through a provider
 * (the provider's user id, `Cognito_Subject`, recorded in cognito_provider_links and in the user's `identities`),
 * and the end of such a link or of a federated user.
 */
export function providerLinkOperations(state: CognitoState): Record<string, UserOperation> {
  return {
    async AdminLinkProviderForUser(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const destination = providerUser(input.DestinationUser, 'DestinationUser');
      const source = providerUser(input.SourceUser, 'SourceUser');
      if (destination.ProviderName.toLowerCase() !== 'cognito')
        throw invalidParameter('DestinationUser.ProviderName must be Cognito: a provider user is linked to a native user of the pool.');
      if (source.ProviderAttributeName !== undefined && source.ProviderAttributeName !== 'Cognito_Subject')
        throw invalidParameter('SourceUser.ProviderAttributeName must be Cognito_Subject (SAML attribute names are not supported by Forte).');
      const provider = await state.providers.get(pool.id, source.ProviderName);
      if (!provider) throw invalidParameter(`SourceUser.ProviderName: the pool has no identity provider ${source.ProviderName}.`);
      const user = await state.users.get(pool.id, destination.ProviderAttributeValue);
      if (!user || user.status === 'EXTERNAL_PROVIDER') throw cognitoError('UserNotFoundException', 'User does not exist.');
      if (await state.users.get(pool.id, `${provider.name}_${source.ProviderAttributeValue}`))
        throw invalidParameter(
          `The provider user already signed in as ${provider.name}_${source.ProviderAttributeValue}: delete that user (AdminDeleteUser) before linking it.`,
        );
      const taken = await state.sql.get<{ username: string }>(
        'SELECT username FROM cognito_provider_links WHERE pool_id = ? AND provider = ? AND provider_user_id = ?',
        [pool.id, provider.name, source.ProviderAttributeValue],
      );
      if (taken && taken.username !== user.username) throw cognitoError('AliasExistsException', 'The provider user is already linked to another user.');
      await state.sql.run('INSERT INTO cognito_provider_links (pool_id, provider, provider_user_id, username) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        pool.id,
        provider.name,
        source.ProviderAttributeValue,
        user.username,
      ]);
      const identities = identitiesOf(user.attributes.identities).filter(
        (i) => !(i.providerName === provider.name && i.userId === source.ProviderAttributeValue),
      );
      identities.push({
        userId: source.ProviderAttributeValue,
        providerName: provider.name,
        providerType: provider.type,
        issuer: null,
        primary: false,
        dateCreated: Date.now(),
      });
      user.attributes = { ...user.attributes, identities: JSON.stringify(identities) };
      await state.users.update(user);
      return {};
    },
    async AdminDisableProviderForUser(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const target = providerUser(input.User, 'User');
      const link = await state.sql.get<{ username: string }>(
        'SELECT username FROM cognito_provider_links WHERE pool_id = ? AND provider = ? AND provider_user_id = ?',
        [pool.id, target.ProviderName, target.ProviderAttributeValue],
      );
      const federated = await state.users.get(pool.id, `${target.ProviderName}_${target.ProviderAttributeValue}`);
      if (!link && !federated) throw cognitoError('UserNotFoundException', 'User does not exist.');
      if (link) {
        await state.sql.run('DELETE FROM cognito_provider_links WHERE pool_id = ? AND provider = ? AND provider_user_id = ?', [
          pool.id,
          target.ProviderName,
          target.ProviderAttributeValue,
        ]);
        const user = await state.users.get(pool.id, link.username);
        if (user) {
          const rest = identitiesOf(user.attributes.identities).filter(
            (i) => !(i.providerName === target.ProviderName && i.userId === target.ProviderAttributeValue),
          );
          const { identities: _gone, ...others } = user.attributes;
          user.attributes = rest.length > 0 ? { ...others, identities: JSON.stringify(rest) } : others;
          await state.users.update(user);
        }
      }
      // The federated user can no longer sign in, as in Cognito.
      if (federated) {
        federated.enabled = false;
        await state.users.update(federated);
        await state.users.revokeAll(pool.id, federated.username);
      }
      return {};
    },
  };
}
