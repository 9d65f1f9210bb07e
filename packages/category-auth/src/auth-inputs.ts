import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@forte/protocol';
import { CLI_INPUTS_FILE } from './cognito-config.js';

/** What an auth resource made before Amplify CLI 7 keeps its settings in (with its own template, no cli-inputs.json). */
export const LEGACY_PARAMETERS_FILE = 'parameters.json';

/**
 * The keys of such a parameters.json that Amplify's migration to cli-inputs.json carries over (its
 * `migrateResourceToSupportOverride`), each under the same name; the others (`dependsOn`, `permissions`, `authTriggerConnections`,
 * the template's own parameters…) stay behind, as there.
 */
const LEGACY_KEYS = [
  'authSelections',
  'requiredAttributes',
  'resourceName',
  'serviceName',
  'useDefault',
  'userpoolClientReadAttributes',
  'userpoolClientWriteAttributes',
  'aliasAttributes',
  'resourceNameTruncated',
  'sharedId',
  'updateFlow',
  'userPoolGroupList',
  'userPoolGroups',
  'userPoolName',
  'usernameAttributes',
  'usernameCaseSensitive',
  'userpoolClientRefreshTokenValidity',
  'userpoolClientSetAttributes',
  'verificationBucketName',
  'userpoolClientGenerateSecret',
  'userpoolClientLambdaRole',
  'passwordPolicyCharacters',
  'passwordPolicyMinLength',
  'adminQueries',
  'adminQueryGroup',
  'mfaConfiguration',
  'mfaTypes',
  'smsAuthenticationMessage',
  'emailVerificationMessage',
  'emailVerificationSubject',
  'smsVerificationMessage',
  'autoVerifiedAttributes',
  'hostedUI',
  'hostedUIDomainName',
  'hostedUIProviderMeta',
  'oAuthMetadata',
  'authProvidersUserPool',
  'thirdPartyAuth',
  'identityPoolName',
  'allowUnauthenticatedIdentities',
  'authProviders',
  'googleClientId',
  'googleIos',
  'googleAndroid',
  'facebookAppId',
  'amazonAppId',
  'appleAppId',
  'selectedParties',
  'audiences',
] as const;

/** An auth resource's `cognitoConfig` (not yet validated) and the file it was read from. */
export interface AuthInputs {
  cognitoConfig: unknown;
  file: string;
  /** Read from an older resource's parameters.json, as Amplify's migration would write it into cli-inputs.json. */
  legacy: boolean;
}

const readJson = (file: string, fix: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, fix, { cause: error });
  }
};

/**
 * The settings of the auth resource in `dir`: cli-inputs.json's `cognitoConfig`, or, for a resource made before
 * Amplify CLI 7 (parameters.json and its own template, no cli-inputs.json), its parameters.json read as Amplify's
 * migration reads it (the keys it carries over; `triggers`, a JSON string there, parsed). Nothing is written: the
 * next `forte update auth` writes cli-inputs.json, which is read from then on.
 */
export function readAuthInputs(dir: string): AuthInputs {
  const inputs = join(dir, CLI_INPUTS_FILE);
  if (existsSync(inputs)) {
    const raw = readJson(inputs, 'Fix the file, or run `forte update auth`.') as { cognitoConfig?: unknown } | undefined;
    return { cognitoConfig: raw?.cognitoConfig, file: inputs, legacy: false };
  }
  const parameters = join(dir, LEGACY_PARAMETERS_FILE);
  if (!existsSync(parameters)) throw new UserError(`${inputs} is missing.`, 'Remove the auth resource (`forte remove auth`) and add it again.');
  const raw = readJson(parameters, 'Fix the file (the auth settings of a project made before Amplify CLI 7).');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${parameters} is not a JSON object.`, 'Fix the file.');
  const values = raw as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const key of LEGACY_KEYS) if (values[key] !== undefined) config[key] = values[key];
  const triggers = values['triggers'];
  if (typeof triggers === 'string') {
    try {
      config['triggers'] = JSON.parse(triggers);
    } catch (error) {
      throw new UserError(`${parameters}: triggers is not a JSON string of the triggers.`, 'Fix it, e.g. "{\\"PostConfirmation\\":[\\"add-to-group\\"]}".', {
        cause: error,
      });
    }
  } else if (triggers !== undefined) config['triggers'] = triggers;
  return { cognitoConfig: config, file: parameters, legacy: true };
}
