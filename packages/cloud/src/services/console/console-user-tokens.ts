import { USER_TOKENS, type IssuedUserTokens } from '../../kernel/capabilities.js';
import type { Logger } from '../../kernel/logger.js';
import type { Kernel } from '../../kernel/types.js';
import { CONSOLE_ERRORS } from './console-errors.js';

/** Largest body of a user-tokens request: two names. */
export const USER_TOKENS_BODY_LIMIT = 4096;

/**
 * `POST /_forte/console/api/user-tokens` once the session and CSRF header are checked: parses `{userPoolId,
 * username, clientId?}` and asks the user pools (`USER_TOKENS`) for that user's tokens, as a sign-in issues them.
 * Logs who was asked for, never the tokens.
 */
export async function issueConsoleUserTokens(options: { kernel: Kernel; log: Logger; body: Buffer; accessKeyId: string }): Promise<IssuedUserTokens> {
  let input: { userPoolId?: unknown; username?: unknown; clientId?: unknown };
  const shape = 'The body must be JSON: {"userPoolId", "username"} (and optionally "clientId").';
  try {
    input = JSON.parse(options.body.toString('utf8')) as typeof input;
  } catch {
    throw CONSOLE_ERRORS.error('ValidationException', shape);
  }
  if (typeof input !== 'object' || input === null) throw CONSOLE_ERRORS.error('ValidationException', shape);
  const { userPoolId, username, clientId } = input;
  if (typeof userPoolId !== 'string' || !/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId))
    throw CONSOLE_ERRORS.error('ValidationException', `"userPoolId" must be a user pool id (such as us-east-1_AbC123). ${shape}`);
  if (typeof username !== 'string' || username === '' || username.length > 128)
    throw CONSOLE_ERRORS.error('ValidationException', `"username" must be a user's name (1 to 128 characters). ${shape}`);
  if (clientId !== undefined && (typeof clientId !== 'string' || !/^[\w+]+$/.test(clientId)))
    throw CONSOLE_ERRORS.error('ValidationException', '"clientId", when given, must be an app client id of the pool.');
  const [issuer] = options.kernel.capability(USER_TOKENS);
  if (!issuer) throw CONSOLE_ERRORS.error('NotFound', 'This cloud serves no user pools (the cognito-idp service is not running).');
  try {
    const tokens = await issuer.issue({ userPoolId, username, clientId });
    options.log.info('console issued user tokens', { userPoolId, username: tokens.username, clientId: tokens.clientId, by: options.accessKeyId });
    return tokens;
  } catch (error) {
    options.log.warn('console user tokens refused', { userPoolId, username, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
