import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cognitoAuthResource, type BackendResource, type Project } from '@forte/protocol';
import {
  CATEGORY,
  CLI_INPUTS_FILE,
  MFA_SMS,
  MFA_TOTP,
  PASSWORD_CHARACTERS,
  PROVIDER_PLUGIN,
  SERVICE,
  parseCognitoConfig,
  type CognitoConfig,
} from './cognito-config.js';
import { readAuthInputs } from './auth-inputs.js';
import { triggersOf, usesVerificationLink } from './auth-triggers.js';
import { triggerDependsOn } from './trigger-questions.js';
import { verificationBucketNameOf, writeVerificationPage } from './verification-page.js';
import { assertGroupsSavable, saveUserPoolGroups } from './user-pool-groups.js';

/** The project's Cognito auth resource name (a project has at most one), from backend-config.json. */
export const findAuthResource = (project: Project): string | undefined => cognitoAuthResource(project);

export function cliInputsPath(project: Project, resourceName: string): string {
  return join(project.resourceDir(CATEGORY, resourceName), CLI_INPUTS_FILE);
}

/** Reads and validates the settings of an auth resource folder: cli-inputs.json, or an older resource's parameters.json (`readAuthInputs`). */
export function readCognitoConfig(dir: string): CognitoConfig {
  const { cognitoConfig, file } = readAuthInputs(dir);
  return parseCognitoConfig(cognitoConfig, file);
}

const upper = (values: readonly string[]): string[] => values.map((v) => v.toUpperCase());

/**
 * backend-config's `frontendAuthConfig` (Amplify's keys, read by the frontend configs), plus two Forte keys
 * Amplify's frontend files have no source for: whether guests get identity-pool credentials and the
 * group names (amplify_outputs.json `unauthenticated_identities_enabled` and `groups`).
 */
export function frontendAuthConfig(config: CognitoConfig): Record<string, unknown> {
  return {
    socialProviders: [],
    usernameAttributes: upper(config.usernameAttributes),
    signupAttributes: upper(config.requiredAttributes),
    passwordProtectionSettings: {
      passwordPolicyMinLength: config.passwordPolicyMinLength,
      passwordPolicyCharacters: config.passwordPolicyCharacters.map((c) => PASSWORD_CHARACTERS[c]),
    },
    mfaConfiguration: config.mfaConfiguration,
    mfaTypes: config.mfaTypes.map((t) => (t === MFA_SMS ? 'SMS' : t === MFA_TOTP ? 'TOTP' : t)),
    verificationMechanisms: upper(config.autoVerifiedAttributes),
    allowUnauthenticatedIdentities: config.authSelections === 'identityPoolAndUserPool' && config.allowUnauthenticatedIdentities,
    userPoolGroups: config.userPoolGroupList,
  };
}

/**
 * Writes cli-inputs.json (with Amplify's `verificationBucketName` and the confirmation page in `assets/` while the
 * verification-link trigger module is chosen) and the resource's backend-config and amplify-meta entries (meta keeps what a
 * push recorded: outputs, timestamps), and Amplify's separate `auth/userPoolGroups` resource for its groups.
 * A group whose role another resource still uses is not dropped (nothing is written then). Returns false
 * when the groups stay in the auth stack where an earlier push put them (they have no IAM roles then).
 */
export function saveAuthResource(project: Project, config: CognitoConfig): boolean {
  assertGroupsSavable(project, config);
  const file = cliInputsPath(project, config.resourceName);
  mkdirSync(dirname(file), { recursive: true });
  // Amplify's verificationBucketName and page: kept while the verification-link module is chosen.
  if (usesVerificationLink(triggersOf(config, file))) {
    config.verificationBucketName = verificationBucketNameOf(config.resourceName);
    writeVerificationPage(dirname(file));
  } else delete config.verificationBucketName;
  const dependsOn = triggerDependsOn(config);
  writeFileSync(file, `${JSON.stringify({ version: '1', cognitoConfig: { ...config, dependsOn } }, null, 2)}\n`);
  const entry: BackendResource = {
    service: SERVICE,
    providerPlugin: PROVIDER_PLUGIN,
    dependsOn,
    customAuth: false,
    frontendAuthConfig: frontendAuthConfig(config),
  };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [config.resourceName]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const previous = meta[CATEGORY]?.[config.resourceName] ?? {};
  meta[CATEGORY] = { ...meta[CATEGORY], [config.resourceName]: { ...previous, ...entry } };
  project.writeMeta(meta);
  return saveUserPoolGroups(project, config);
}
