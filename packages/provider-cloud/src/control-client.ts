import { isForteError, CONTROL_PATH, CONTROL_TARGET_PREFIX, UserError, controlApi, type ControlOperation, type ControlOperations } from '@forte/protocol';
import type { SignedClient } from './signed-client.js';

/** Typed calls of the control plane's admin API (protocol/control-api.ts). */
export interface ControlClient {
  call<Op extends ControlOperation>(operation: Op, input: ControlOperations[Op]['input']): Promise<ControlOperations[Op]['output']>;
}

/**
 * A client of the control API whose every answer is checked against the operation's output schema: a cloud
 * that answers something else (another version of Forte) fails the call naming the operation and the field,
 * rather than handing a wrong shape to the code that reads it.
 */
export function createControlClient(client: SignedClient): ControlClient {
  return {
    async call(operation, input) {
      let answer: unknown;
      try {
        answer = await client.json(CONTROL_PATH, `${CONTROL_TARGET_PREFIX}${operation}`, input);
      } catch (error) {
        throw toUserError(error, client.credentials.endpoint);
      }
      const checked = controlApi[operation].output.safeParse(answer);
      if (checked.success) return checked.data as ControlOperations[typeof operation]['output'];
      const issue = checked.error.issues[0];
      const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(the whole answer)';
      throw new UserError(
        `The cloud at ${client.credentials.endpoint} answered ${operation} with a response this CLI does not understand: ${field}: ${issue?.message ?? 'invalid'}.`,
        'The cloud and the CLI are probably different versions of Forte: install the same version of both (`forte cloud start` runs the local one), then run the command again.',
        { cause: checked.error },
      );
    },
  };
}

/** Cloud answers the user can act on become UserErrors; anything else stays a fault. */
export function toUserError(error: unknown, endpoint: string): unknown {
  if (isForteError(error)) {
    switch (error.code) {
      case 'DeploymentInProgressException':
        return new UserError(error.message, 'Wait for that deployment to finish (`forte status` shows it), then run the command again.', { cause: error });
      case 'ResourceNotFoundException':
        return new UserError(error.message, 'Check the app id and environment name (`forte env list`), or run `forte init`.', { cause: error });
      case 'ValidationException':
        return new UserError(error.message, 'Fix the input named above and run the command again.', { cause: error });
      case 'ConflictException':
      case 'ResourceInUseException':
        return new UserError(error.message, 'Resolve the conflict named above and run the command again.', { cause: error });
      case 'UnrecognizedClientException':
      case 'InvalidSignatureException':
      case 'IncompleteSignatureException':
      case 'MissingAuthenticationTokenException':
      case 'AccessDeniedException':
        return new UserError(`The cloud at ${endpoint} refused the credentials: ${error.message}`, 'Check the profile with `forte configure`.', {
          cause: error,
        });
      default:
        return error;
    }
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    return new UserError(`Cannot reach the cloud at ${endpoint}.`, 'Start it (`forte cloud start`) or fix the endpoint of the profile (`forte configure`).', {
      cause: error,
    });
  }
  return error;
}
