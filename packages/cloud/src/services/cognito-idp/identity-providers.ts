import type { SqlStore } from '../../engines/types.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import { cognitoError, invalidParameter } from './cognito-error.js';
import { requirePool, str, type CognitoState } from './cognito-state.js';
import type { UserOperation } from './user-operation.js';
import { parseSamlMetadata, samlMetadataOf, SamlMetadataProblem } from './saml-metadata.js';

/** The provider types Forte federates with. */
export const PROVIDER_TYPES = ['OIDC', 'SAML', 'Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
/** The public providers, whose endpoints Cognito knows. */
export type SocialProviderType = Exclude<ProviderType, 'OIDC' | 'SAML'>;
/** The claim a SAML response's NameID is kept under (AttributeMapping's default `username`). */
export const SAML_NAME_ID_CLAIM = 'NameID';

/** One identity provider of a pool, as CreateIdentityProvider takes it. */
export interface StoredIdentityProvider {
  poolId: string;
  name: string;
  type: ProviderType;
  details: Record<string, string>;
  attributeMapping: Record<string, string>;
  identifiers: string[];
  createdAt: string;
  updatedAt: string;
}

/**
 * The real endpoints of the social providers, as Cognito fills them in. Each can be replaced by the provider's
 * ProviderDetails (a company's own IdP, or a test's local one).
 */
const DEFAULT_DETAILS: Record<SocialProviderType, Record<string, string>> = {
  Google: {
    authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_url: 'https://www.googleapis.com/oauth2/v4/token',
    token_request_method: 'POST',
    attributes_url: 'https://people.googleapis.com/v1/people/me?personFields=',
    attributes_url_add_attributes: 'true',
    oidc_issuer: 'https://accounts.google.com',
    jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
  },
  Facebook: {
    authorize_url: 'https://www.facebook.com/v17.0/dialog/oauth',
    token_url: 'https://graph.facebook.com/v17.0/oauth/access_token',
    token_request_method: 'GET',
    attributes_url: 'https://graph.facebook.com/v17.0/me?fields=',
    attributes_url_add_attributes: 'true',
    api_version: 'v17.0',
  },
  LoginWithAmazon: {
    authorize_url: 'https://www.amazon.com/ap/oa',
    token_url: 'https://api.amazon.com/auth/o2/token',
    token_request_method: 'POST',
    attributes_url: 'https://api.amazon.com/user/profile',
    attributes_url_add_attributes: 'false',
  },
  SignInWithApple: {
    authorize_url: 'https://appleid.apple.com/auth/authorize',
    token_url: 'https://appleid.apple.com/auth/token',
    token_request_method: 'POST',
    oidc_issuer: 'https://appleid.apple.com',
    jwks_uri: 'https://appleid.apple.com/auth/keys',
  },
};

/** The provider's claim that identifies its user when AttributeMapping has no `username`. */
export const DEFAULT_SUBJECT_CLAIM: Record<ProviderType, string> = {
  OIDC: 'sub',
  // A SAML response's subject: its NameID (saml-federation.ts puts it among the claims under this name).
  SAML: SAML_NAME_ID_CLAIM,
  Google: 'sub',
  Facebook: 'id',
  LoginWithAmazon: 'user_id',
  SignInWithApple: 'sub',
};

/** Details that are secrets: kept, used, never returned or logged. */
export const SECRET_DETAILS = ['client_secret', 'private_key'];

/** The details each type needs. */
const REQUIRED_DETAILS: Record<ProviderType, string[]> = {
  OIDC: ['client_id', 'authorize_scopes', 'attributes_request_method'],
  SAML: [],
  Google: ['client_id', 'client_secret', 'authorize_scopes'],
  Facebook: ['client_id', 'client_secret', 'authorize_scopes'],
  LoginWithAmazon: ['client_id', 'client_secret', 'authorize_scopes'],
  SignInWithApple: ['client_id', 'team_id', 'key_id', 'private_key', 'authorize_scopes'],
};

const NAME = /^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u;
const RESERVED = ['COGNITO', 'Cognito', 'cognito'];

/** The cloud's own endpoints for the social provider types (config.json's `identityProviders`), over the real ones. */
export type ProviderEndpointSettings = Partial<Record<SocialProviderType, Record<string, string>>>;

/**
 * The provider's details: the type's real endpoints, under the cloud's settings for the type, under what the
 * provider itself was given.
 */
export function effectiveDetails(provider: Pick<StoredIdentityProvider, 'type' | 'details'>, settings: ProviderEndpointSettings = {}): Record<string, string> {
  if (provider.type === 'OIDC' || provider.type === 'SAML') return { ...provider.details };
  return { ...DEFAULT_DETAILS[provider.type], ...settings[provider.type], ...provider.details };
}

interface ProviderRow {
  pool_id: string;
  name: string;
  type: string;
  details: string;
  attribute_mapping: string;
  identifiers: string;
  created_at: string;
  updated_at: string;
}

/** The sealing context of one secret detail: bound to its pool, provider and key. */
const detailContext = (poolId: string, name: string, key: string): string => `cognito_identity_providers.details:${poolId}:${name}:${key}`;

const fromRow = (row: ProviderRow, secrets: SecretBox): StoredIdentityProvider => {
  const details = JSON.parse(row.details) as Record<string, string>;
  for (const key of SECRET_DETAILS) {
    const value = details[key];
    if (value !== undefined && secrets.isSealed(value)) details[key] = secrets.open(value, detailContext(row.pool_id, row.name, key));
  }
  return {
    poolId: row.pool_id,
    name: row.name,
    type: row.type as ProviderType,
    details,
    attributeMapping: JSON.parse(row.attribute_mapping) as Record<string, string>,
    identifiers: JSON.parse(row.identifiers) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
};

/** A pool's identity providers in SQL, their secret details (SECRET_DETAILS) sealed with the cloud's secret box. */
export function createIdentityProviderStore(sql: SqlStore, secrets: SecretBox) {
  const sealed = (provider: StoredIdentityProvider): Record<string, string> => {
    const details = { ...provider.details };
    for (const key of SECRET_DETAILS) {
      const value = details[key];
      if (value !== undefined) details[key] = secrets.seal(value, detailContext(provider.poolId, provider.name, key));
    }
    return details;
  };
  return {
    async get(poolId: string, name: string): Promise<StoredIdentityProvider | undefined> {
      const row = await sql.get<ProviderRow>('SELECT * FROM cognito_identity_providers WHERE pool_id = ? AND name = ?', [poolId, name]);
      return row ? fromRow(row, secrets) : undefined;
    },
    async list(poolId: string): Promise<StoredIdentityProvider[]> {
      return (await sql.all<ProviderRow>('SELECT * FROM cognito_identity_providers WHERE pool_id = ? ORDER BY name', [poolId])).map((row) =>
        fromRow(row, secrets),
      );
    },
    async byIdentifier(poolId: string, identifier: string): Promise<StoredIdentityProvider | undefined> {
      return (await this.list(poolId)).find((p) => p.identifiers.includes(identifier));
    },
    async put(provider: StoredIdentityProvider): Promise<void> {
      await sql.run(
        `INSERT INTO cognito_identity_providers (pool_id, name, type, details, attribute_mapping, identifiers, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (pool_id, name) DO UPDATE SET type = excluded.type, details = excluded.details, attribute_mapping = excluded.attribute_mapping,
         identifiers = excluded.identifiers, updated_at = excluded.updated_at`,
        [
          provider.poolId,
          provider.name,
          provider.type,
          JSON.stringify(sealed(provider)),
          JSON.stringify(provider.attributeMapping),
          JSON.stringify(provider.identifiers),
          provider.createdAt,
          provider.updatedAt,
        ],
      );
    },
    async delete(poolId: string, name: string): Promise<boolean> {
      return (await sql.run('DELETE FROM cognito_identity_providers WHERE pool_id = ? AND name = ?', [poolId, name])).changes > 0;
    },
  };
}

export type IdentityProviderStore = ReturnType<typeof createIdentityProviderStore>;

const stringMap = (value: unknown, field: string): Record<string, string> => {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${field} must be a map of strings.`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidParameter(`${field}.${key} must be a string.`);
    out[key] = v;
  }
  return out;
};

/**
 * Checks a provider's fields as Cognito does and answers what is stored: the type's required details, a
 * discovery issuer or all of an OIDC provider's endpoints, http(s) endpoints, identifiers.
 */
export function checkProvider(fields: {
  poolId: string;
  name: string;
  type: string;
  details: unknown;
  attributeMapping: unknown;
  identifiers: unknown;
  createdAt?: string | undefined;
}): StoredIdentityProvider {
  const { name, type } = fields;
  if (!NAME.test(name) || name.length > 32 || RESERVED.includes(name))
    throw invalidParameter(`ProviderName ${name} is not valid: 3 to 32 characters, not starting or ending with _ or a space, and not COGNITO.`);
  if (!(PROVIDER_TYPES as readonly string[]).includes(type)) throw invalidParameter(`ProviderType ${type} is not one of ${PROVIDER_TYPES.join(', ')}.`);
  const providerType = type as ProviderType;
  if (providerType !== 'OIDC' && providerType !== 'SAML' && name !== providerType)
    throw invalidParameter(`A ${providerType} provider must be named ${providerType} (ProviderName), as in Cognito.`);
  const details = stringMap(fields.details, 'ProviderDetails');
  const missing = REQUIRED_DETAILS[providerType].filter((key) => !details[key]);
  if (missing.length > 0) throw invalidParameter(`ProviderDetails of a ${providerType} provider need ${missing.join(', ')}.`);
  if (providerType === 'OIDC') {
    const endpoints = ['authorize_url', 'token_url', 'attributes_url', 'jwks_uri'];
    if (!details.oidc_issuer && endpoints.some((key) => !details[key]))
      throw invalidParameter(
        'ProviderDetails of an OIDC provider need oidc_issuer (found by discovery) or authorize_url, token_url, attributes_url and jwks_uri.',
      );
    if (!['GET', 'POST'].includes(details.attributes_request_method ?? '')) throw invalidParameter('attributes_request_method must be GET or POST.');
  }
  if (providerType === 'SAML') checkSamlDetails(details);
  for (const key of ['oidc_issuer', 'authorize_url', 'token_url', 'attributes_url', 'jwks_uri', 'MetadataURL']) {
    const value = details[key];
    if (value === undefined) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw invalidParameter(`ProviderDetails.${key} must be an http(s) URL, not ${value}.`);
  }
  const attributeMapping = stringMap(fields.attributeMapping, 'AttributeMapping');
  const identifiers = fields.identifiers ?? [];
  if (!Array.isArray(identifiers) || identifiers.some((i) => typeof i !== 'string' || i.length === 0 || i.length > 40) || identifiers.length > 50)
    throw invalidParameter('IdpIdentifiers must be a list of at most 50 strings of 1 to 40 characters.');
  const now = new Date().toISOString();
  return {
    poolId: fields.poolId,
    name,
    type: providerType,
    details,
    attributeMapping,
    identifiers: identifiers as string[],
    createdAt: fields.createdAt ?? now,
    updatedAt: now,
  };
}

/** A provider in DescribeIdentityProvider's shape: the type's default endpoints shown, its secrets never. */
export function describeProvider(provider: StoredIdentityProvider, settings: ProviderEndpointSettings = {}): Record<string, unknown> {
  const details = Object.fromEntries(Object.entries(effectiveDetails(provider, settings)).filter(([key]) => !SECRET_DETAILS.includes(key)));
  return {
    UserPoolId: provider.poolId,
    ProviderName: provider.name,
    ProviderType: provider.type,
    ProviderDetails: details,
    AttributeMapping: { username: DEFAULT_SUBJECT_CLAIM[provider.type], ...provider.attributeMapping },
    IdpIdentifiers: provider.identifiers,
    LastModifiedDate: Date.parse(provider.updatedAt) / 1000,
    CreationDate: Date.parse(provider.createdAt) / 1000,
  };
}

/**
 * Create/Describe/Update/Delete/ListIdentityProviders and GetIdentityProviderByIdentifier. Signed, authorized on
 * the pool's ARN.
 */
export function identityProviderOperations(state: CognitoState): Record<string, UserOperation> {
  const { providers } = state;
  const requireProvider = async (poolId: string, name: string): Promise<StoredIdentityProvider> => {
    const provider = await providers.get(poolId, name);
    if (!provider) throw cognitoError('ResourceNotFoundException', `Identity provider ${name} does not exist.`);
    return provider;
  };
  const identifiersFree = async (poolId: string, name: string, identifiers: string[]): Promise<void> => {
    for (const identifier of identifiers) {
      const holder = await providers.byIdentifier(poolId, identifier);
      if (holder && holder.name !== name) throw invalidParameter(`Duplicate identifier ${identifier}: the provider ${holder.name} has it.`);
    }
  };
  return {
    async CreateIdentityProvider(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const provider = checkProvider({
        poolId: pool.id,
        name: str(input, 'ProviderName'),
        type: str(input, 'ProviderType'),
        details: input.ProviderDetails,
        attributeMapping: input.AttributeMapping,
        identifiers: input.IdpIdentifiers,
      });
      if (await providers.get(pool.id, provider.name))
        throw cognitoError('DuplicateProviderException', `A provider with the name ${provider.name} already exists in this user pool.`);
      await identifiersFree(pool.id, provider.name, provider.identifiers);
      await checkSamlMetadataUrl(provider);
      await providers.put(provider);
      return { IdentityProvider: describeProvider(provider, state.providerEndpoints) };
    },
    async DescribeIdentityProvider(input) {
      const pool = await requirePool(state, input.UserPoolId);
      return { IdentityProvider: describeProvider(await requireProvider(pool.id, str(input, 'ProviderName')), state.providerEndpoints) };
    },
    /** Fields left out keep their value; secrets left out of ProviderDetails are kept. */
    async UpdateIdentityProvider(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const old = await requireProvider(pool.id, str(input, 'ProviderName'));
      const given = input.ProviderDetails === undefined ? undefined : stringMap(input.ProviderDetails, 'ProviderDetails');
      const kept = Object.fromEntries(Object.entries(old.details).filter(([key]) => SECRET_DETAILS.includes(key)));
      const provider = checkProvider({
        poolId: pool.id,
        name: old.name,
        type: old.type,
        details: given ? { ...kept, ...given } : old.details,
        attributeMapping: input.AttributeMapping ?? old.attributeMapping,
        identifiers: input.IdpIdentifiers ?? old.identifiers,
        createdAt: old.createdAt,
      });
      await identifiersFree(pool.id, provider.name, provider.identifiers);
      await checkSamlMetadataUrl(provider);
      await providers.put(provider);
      return { IdentityProvider: describeProvider(provider, state.providerEndpoints) };
    },
    async DeleteIdentityProvider(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const name = str(input, 'ProviderName');
      if (!(await providers.delete(pool.id, name))) throw cognitoError('ResourceNotFoundException', `Identity provider ${name} does not exist.`);
      return {};
    },
    async ListIdentityProviders(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const all = await providers.list(pool.id);
      return {
        Providers: all.map((p) => ({
          ProviderName: p.name,
          ProviderType: p.type,
          LastModifiedDate: Date.parse(p.updatedAt) / 1000,
          CreationDate: Date.parse(p.createdAt) / 1000,
        })),
      };
    },
    async GetIdentityProviderByIdentifier(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const identifier = str(input, 'IdpIdentifier');
      const provider = await providers.byIdentifier(pool.id, identifier);
      if (!provider) throw cognitoError('ResourceNotFoundException', `No identity provider has the identifier ${identifier}.`);
      return { IdentityProvider: describeProvider(provider, state.providerEndpoints) };
    },
  };
}

/**
 * A SAML provider's ProviderDetails as Cognito takes them: MetadataURL or MetadataFile (exactly one; a file is read
 * now, a URL at each sign-in), IDPSignout, IDPInit and EncryptedResponses "true" or "false" (Forte signs no
 * requests and takes no encrypted or IdP-initiated responses: "true" is refused with the reason).
 */
function checkSamlDetails(details: Record<string, string>): void {
  if (Boolean(details.MetadataFile) === Boolean(details.MetadataURL))
    throw invalidParameter('ProviderDetails of a SAML provider need MetadataURL or MetadataFile (one of them).');
  for (const key of ['IDPSignout', 'IDPInit', 'EncryptedResponses']) {
    const value = details[key];
    if (value !== undefined && value !== 'true' && value !== 'false') throw invalidParameter(`ProviderDetails.${key} must be "true" or "false".`);
  }
  if (details.IDPInit === 'true')
    throw invalidParameter('ProviderDetails.IDPInit: sign-in started at the identity provider is not supported by Forte yet; set it to "false".');
  if (details.EncryptedResponses === 'true')
    throw invalidParameter('ProviderDetails.EncryptedResponses: encrypted SAML assertions are not supported by Forte yet; set it to "false".');
  if (details.MetadataFile) {
    try {
      parseSamlMetadata(details.MetadataFile);
    } catch (error) {
      if (error instanceof SamlMetadataProblem) throw invalidParameter(`ProviderDetails.MetadataFile: ${error.message}.`);
      throw error;
    }
  }
}

/** A SAML provider's MetadataURL is read when it is set, as Cognito does: metadata that cannot be used is refused then. */
export async function checkSamlMetadataUrl(provider: StoredIdentityProvider): Promise<void> {
  if (provider.type !== 'SAML' || !provider.details.MetadataURL) return;
  try {
    await samlMetadataOf(provider.details);
  } catch (error) {
    if (error instanceof SamlMetadataProblem) throw invalidParameter(`ProviderDetails.MetadataURL ${provider.details.MetadataURL}: ${error.message}.`);
    throw error;
  }
}
