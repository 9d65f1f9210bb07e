import { UserError } from '@forte/protocol';
import { z } from 'zod';

export const CATEGORY = 'api';
export const SERVICE = 'AppSync';
export const PROVIDER_PLUGIN = 'awscloudformation';
export const CLI_INPUTS_FILE = 'cli-inputs.json';

const apiKeyMode = z.object({
  mode: z.literal('API_KEY'),
  /** Days until the key expires (1–365). */
  expirationTime: z.coerce.number().int().min(1).max(365).default(7),
  apiKeyExpirationDate: z.string().optional(),
  keyDescription: z.string().optional(),
});
const userPoolMode = z.object({ mode: z.literal('AMAZON_COGNITO_USER_POOLS'), cognitoUserPoolId: z.string().optional() });
const iamMode = z.object({ mode: z.literal('AWS_IAM') });
const oidcMode = z.object({
  mode: z.literal('OPENID_CONNECT'),
  openIDProviderName: z.string().min(1),
  openIDIssuerURL: z.string().url(),
  openIDClientID: z.string().optional(),
  openIDAuthTTL: z.coerce.string().optional(),
  openIDIatTTL: z.coerce.string().optional(),
});
const lambdaMode = z.object({ mode: z.literal('AWS_LAMBDA'), lambdaFunction: z.string().min(1), ttlSeconds: z.coerce.string().optional() });

export const authModeSchema = z.discriminatedUnion('mode', [apiKeyMode, userPoolMode, iamMode, oidcMode, lambdaMode]);
export type AuthMode = z.infer<typeof authModeSchema>;
export type AuthModeName = AuthMode['mode'];

const strategy = z.object({ type: z.enum(['AUTOMERGE', 'OPTIMISTIC_CONCURRENCY', 'LAMBDA', 'NONE']), resolver: z.unknown().optional() });
export const conflictResolutionSchema = z.object({
  defaultResolutionStrategy: strategy.optional(),
  perModelResolutionStrategy: z.array(z.object({ entityName: z.string(), resolutionStrategy: strategy })).optional(),
});
export type ConflictResolution = z.infer<typeof conflictResolutionSchema>;

/**
 * `serviceConfiguration` of `amplify/backend/api/<api>/cli-inputs.json`: the shape of Amplify's headless
 * AddApiRequest (the schema itself lives in schema.graphql, not here).
 */
export const apiConfigSchema = z
  .object({
    serviceName: z.literal('AppSync').default('AppSync'),
    apiName: z.string().regex(/^[A-Za-z0-9]+$/, 'API names are letters and digits'),
    defaultAuthType: authModeSchema,
    additionalAuthTypes: z.array(authModeSchema).default([]),
    conflictResolution: conflictResolutionSchema.optional(),
  })
  .passthrough();
export type ApiConfig = z.infer<typeof apiConfigSchema>;

/** Validates an API configuration; a UserError names the file (or payload) and the field. */
export function parseApiConfig(raw: unknown, source: string): ApiConfig {
  const parsed = apiConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'serviceConfiguration';
    throw new UserError(`${source}: ${where}: ${issue.message}.`, 'See the AddApiRequest format in the README (or run `forte update api`).');
  }
  const modes = [parsed.data.defaultAuthType, ...parsed.data.additionalAuthTypes].map((m) => m.mode);
  const twice = modes.find((m, i) => modes.indexOf(m) !== i);
  if (twice) throw new UserError(`${source}: the authorization mode ${twice} is listed twice.`, 'Name each mode once: the default, then the additional ones.');
  return parsed.data;
}

/** The modes the API accepts, default first. */
export function authModes(config: ApiConfig): AuthMode[] {
  return [config.defaultAuthType, ...config.additionalAuthTypes];
}
