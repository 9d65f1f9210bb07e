import { isForteError, MAILBOX_API_PATH, MAILBOX_TARGET_PREFIX, UserError, type MailboxMessage, type MailboxOperations } from '@forte/protocol';
import { toUserError } from './control-client.js';
import type { SignedClient } from './signed-client.js';

type ListMessages = MailboxOperations['ListMessages'];

/** The cloud's mailbox, newest first (`ForteMailbox.ListMessages`, signed with the profile's admin keys). */
export async function listMailbox(client: SignedClient, input: ListMessages['input']): Promise<MailboxMessage[]> {
  try {
    const output = await client.json<ListMessages['output']>(MAILBOX_API_PATH, `${MAILBOX_TARGET_PREFIX}ListMessages`, input);
    return output.messages;
  } catch (error) {
    if (isForteError(error) && (error.status === 404 || /UnknownOperation/.test(error.code))) {
      throw new UserError(
        `The cloud at ${client.credentials.endpoint} has no mailbox.`,
        'Update Forte Cloud to a version with auth (user pools), then run the command again.',
        { cause: error },
      );
    }
    throw toUserError(error, client.credentials.endpoint);
  }
}
