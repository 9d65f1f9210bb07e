import { randomUUID } from 'node:crypto';
import type { MailboxMessage } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { MailSender } from '../../kernel/mail-transport.js';

interface MessageRow {
  message_id: string;
  to_addr: string;
  medium: string;
  subject: string | null;
  body: string;
  code: string | null;
  purpose: string;
  pool_id: string;
  username: string;
  created_at: string;
}

/** How many messages the mailbox keeps: the newest per recipient, per user pool and in all. */
export interface MailboxCaps {
  perRecipient: number;
  perPool: number;
  total: number;
}

/**
 * The cloud's mailbox: messages that Cognito would email or text are kept here for `forte mailbox`.
 * It holds codes on purpose (that is its job); the logs never do. When the cloud has an SMTP server
 * (`mail`), email messages also leave through it, in the background; SMS messages stay here only
 * (there is no SMS gateway). Beyond `caps` the oldest messages are dropped, in the same transaction
 * as the new one, so the mailbox cannot grow without bound.
 */
export function createMailbox(sql: SqlStore, mail: MailSender | undefined, caps: MailboxCaps) {
  return {
    async send(message: Omit<MailboxMessage, 'messageId' | 'createdAt'>): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO cognito_mailbox (message_id, to_addr, medium, subject, body, code, purpose, pool_id, username, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            randomUUID(),
            message.to,
            message.medium,
            message.subject ?? null,
            message.body,
            message.code ?? null,
            message.purpose,
            message.userPoolId,
            message.username,
            new Date().toISOString(),
          ],
        );
        // Everything at or below the seq of the first message past the cap goes (indexes on (to_addr, seq), (pool_id, seq)).
        await tx.run(
          'DELETE FROM cognito_mailbox WHERE to_addr = ? AND seq <= (SELECT seq FROM cognito_mailbox WHERE to_addr = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
          [message.to, message.to, caps.perRecipient],
        );
        await tx.run(
          'DELETE FROM cognito_mailbox WHERE pool_id = ? AND seq <= (SELECT seq FROM cognito_mailbox WHERE pool_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
          [message.userPoolId, message.userPoolId, caps.perPool],
        );
        await tx.run('DELETE FROM cognito_mailbox WHERE seq <= (SELECT seq FROM cognito_mailbox ORDER BY seq DESC LIMIT 1 OFFSET ?)', [caps.total]);
      });
      if (mail && message.medium === 'EMAIL') mail.send({ to: message.to, subject: message.subject ?? 'Your verification code', text: message.body });
    },
    /** Newest first; each option given narrows the list (a recipient, a user pool, a user of that pool). */
    async list(options: {
      to?: string | undefined;
      userPoolId?: string | undefined;
      username?: string | undefined;
      limit?: number | undefined;
    }): Promise<MailboxMessage[]> {
      const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
      const where: string[] = [];
      const params: unknown[] = [];
      for (const [column, value] of [
        ['to_addr', options.to],
        ['pool_id', options.userPoolId],
        ['username', options.username],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        params.push(value);
      }
      const rows = await sql.all<MessageRow>(
        `SELECT * FROM cognito_mailbox${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
        [...params, limit],
      );
      return rows.map((r) => {
        const message: MailboxMessage = {
          messageId: r.message_id,
          to: r.to_addr,
          medium: r.medium === 'SMS' ? 'SMS' : 'EMAIL',
          body: r.body,
          purpose: r.purpose,
          userPoolId: r.pool_id,
          username: r.username,
          createdAt: r.created_at,
        };
        if (r.subject !== null) message.subject = r.subject;
        if (r.code !== null) message.code = r.code;
        return message;
      });
    },
  };
}

export type Mailbox = ReturnType<typeof createMailbox>;
