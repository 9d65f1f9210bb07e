import type { UserPoolProperties } from '@forte/protocol';
import { invalidParameter } from './cognito-error.js';
import { requirePool, type CognitoState } from './cognito-state.js';
import { checkPoolSettings } from './pool-resources.js';
import { schemaAttributes } from './attribute-schema.js';
import type { UserOperation } from './user-operation.js';

/**
 * What UpdateUserPool changes; a setting left out of the request goes back to its default, as in Cognito
 * (Amplify's trigger custom resource reads DescribeUserPool first and sends everything back). The sign-in
 * attributes, the schema and the case rule are fixed at creation; EnabledMfas is SetUserPoolMfaConfig's.
 */
const UPDATABLE = [
  'LambdaConfig',
  'AutoVerifiedAttributes',
  'MfaConfiguration',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'SmsVerificationMessage',
  'SmsAuthenticationMessage',
  'UserAttributeUpdateSettings',
] as const;

/** DescribeUserPool and UpdateUserPool (admin operations: signed, authorized on the pool's ARN). */
export function poolOperations(state: CognitoState): Record<string, UserOperation> {
  const { kernel } = state;
  return {
    async DescribeUserPool(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const c = pool.config;
      return {
        UserPool: {
          Id: pool.id,
          Name: pool.name,
          Arn: `arn:aws:cognito-idp:${kernel.config.region}:${kernel.config.accountId}:userpool/${pool.id}`,
          Policies: { PasswordPolicy: { MinimumLength: 8, ...c.PasswordPolicy } },
          LambdaConfig: c.LambdaConfig ?? {},
          AutoVerifiedAttributes: c.AutoVerifiedAttributes ?? [],
          ...(c.UsernameAttributes ? { UsernameAttributes: c.UsernameAttributes } : {}),
          ...(c.AliasAttributes ? { AliasAttributes: c.AliasAttributes } : {}),
          MfaConfiguration: c.MfaConfiguration ?? 'OFF',
          ...(c.EmailVerificationMessage !== undefined ? { EmailVerificationMessage: c.EmailVerificationMessage } : {}),
          ...(c.EmailVerificationSubject !== undefined ? { EmailVerificationSubject: c.EmailVerificationSubject } : {}),
          ...(c.SmsVerificationMessage !== undefined ? { SmsVerificationMessage: c.SmsVerificationMessage } : {}),
          ...(c.SmsAuthenticationMessage !== undefined ? { SmsAuthenticationMessage: c.SmsAuthenticationMessage } : {}),
          ...(c.UserAttributeUpdateSettings ? { UserAttributeUpdateSettings: c.UserAttributeUpdateSettings } : {}),
          UsernameConfiguration: { CaseSensitive: c.UsernameCaseSensitive ?? true },
          SchemaAttributes: schemaAttributes(pool),
          EstimatedNumberOfUsers: (await state.users.list(pool.id)).length,
          ...(await state.pools.domainOfPool(pool.id).then((domain) => (domain === undefined ? {} : { Domain: domain }))),
        },
      };
    },

    async UpdateUserPool(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const current = pool.config;
      const next: Record<string, unknown> = {
        PoolName: current.PoolName,
        ...(current.UsernameAttributes ? { UsernameAttributes: current.UsernameAttributes } : {}),
        ...(current.AliasAttributes ? { AliasAttributes: current.AliasAttributes } : {}),
        ...(current.RequiredAttributes ? { RequiredAttributes: current.RequiredAttributes } : {}),
        ...(current.Schema ? { Schema: current.Schema } : {}),
        ...(current.EnabledMfas ? { EnabledMfas: current.EnabledMfas } : {}),
        ...(current.UsernameCaseSensitive !== undefined ? { UsernameCaseSensitive: current.UsernameCaseSensitive } : {}),
      };
      for (const key of UPDATABLE) if (input[key] !== undefined) next[key] = input[key];
      const policies = input.Policies as { PasswordPolicy?: unknown } | undefined;
      if (policies?.PasswordPolicy !== undefined) next.PasswordPolicy = policies.PasswordPolicy;
      const checked = checkPoolSettings(next);
      if (!checked.ok) throw invalidParameter(checked.message);
      await state.pools.putPool(pool.id, checked.config satisfies UserPoolProperties);
      return {};
    },
  };
}
