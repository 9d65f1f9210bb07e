import { defineErrorTable } from '@forte/protocol';

/**
 * The codes of a resource handler's refusal (`ResourceHandler.create|update|delete`): a push reports them
 * in its stack events, whichever service handles the type.
 */
export const RESOURCE_ERRORS = defineErrorTable('forte-resources', {
  ValidationException: 400,
  /** IAM's name for a role or policy that does not exist. */
  NoSuchEntity: 404,
  ResourceNotFoundException: 404,
  ResourceInUseException: 409,
  ConflictException: 409,
});
