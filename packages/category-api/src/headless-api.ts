import { UserError } from '@forte/protocol';
import { z } from 'zod';
import { parseApiConfig, type ApiConfig } from './api-config.js';

/** Amplify's AddApiRequest v1 (AppSync). The schema travels as `transformSchema`. */
const addApiRequestSchema = z.object({
  version: z.literal(1),
  serviceConfiguration: z.object({
    serviceName: z.literal('AppSync'),
    apiName: z.string(),
    transformSchema: z.string().min(1),
    defaultAuthType: z.unknown(),
    additionalAuthTypes: z.array(z.unknown()).optional(),
    conflictResolution: z.unknown().optional(),
    apiKeyExpiration: z.object({ days: z.number().int().min(1).max(365) }).optional(),
  }),
});

/** Amplify's UpdateApiRequest v1: each field given replaces the current one. */
const updateApiRequestSchema = z.object({
  version: z.literal(1),
  serviceModification: z.object({
    serviceName: z.literal('AppSync'),
    transformSchema: z.string().min(1).optional(),
    defaultAuthType: z.unknown().optional(),
    additionalAuthTypes: z.array(z.unknown()).optional(),
    conflictResolution: z.unknown().optional(),
    apiKeyExpiration: z.object({ days: z.number().int().min(1).max(365) }).optional(),
  }),
});

function parse<T>(schema: z.ZodType<T>, payload: unknown, name: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(
      `The ${name}: ${issue.path.join('.') || 'payload'}: ${issue.message}.`,
      `Send one line of JSON in the ${name} v1 format on stdin (see the README).`,
    );
  }
  return parsed.data;
}

/** Applies `apiKeyExpiration.days` to the API-key mode, wherever it is (Amplify's older field). */
function withKeyDays(config: Record<string, unknown>, days: number | undefined): Record<string, unknown> {
  if (days === undefined) return config;
  const set = (mode: unknown): unknown => ((mode as { mode?: string } | undefined)?.mode === 'API_KEY' ? { ...(mode as object), expirationTime: days } : mode);
  return {
    ...config,
    defaultAuthType: set(config.defaultAuthType),
    additionalAuthTypes: ((config.additionalAuthTypes as unknown[] | undefined) ?? []).map(set),
  };
}

export function configFromAddRequest(payload: unknown): { config: ApiConfig; schema: string } {
  const request = parse(addApiRequestSchema, payload, 'AddApiRequest');
  const { transformSchema, apiKeyExpiration, ...rest } = request.serviceConfiguration;
  return { config: parseApiConfig(withKeyDays(rest, apiKeyExpiration?.days), 'the AddApiRequest'), schema: transformSchema };
}

export function configFromUpdateRequest(payload: unknown, current: ApiConfig): { config: ApiConfig; schema: string | undefined } {
  const request = parse(updateApiRequestSchema, payload, 'UpdateApiRequest');
  const { transformSchema, apiKeyExpiration, serviceName: _service, ...changes } = request.serviceModification;
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) merged[key] = value;
  return { config: parseApiConfig(withKeyDays(merged, apiKeyExpiration?.days), 'the UpdateApiRequest'), schema: transformSchema };
}
