import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

/** A refusal of what a template declares, naming where and what to do instead. */
export const definitionError = (where: string, message: string) => RESOURCE_ERRORS.error('ValidationException', `${where}: ${message}`);

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
