import type { MailboxMessage } from '@forte/protocol';
import { ListTable, When } from '../parts.js';

/** Messages of the cloud's mailbox: when, to whom, why, the code and the text. */
export function MailboxTable({ label, messages }: { label: string; messages: MailboxMessage[] }) {
  if (messages.length === 0) return <p>No messages.</p>;
  return (
    <ListTable label={label} columns={['Sent', 'To', 'Purpose', 'Code', 'Message']}>
      {messages.map((m) => (
        <tr key={m.messageId}>
          <td>
            <When iso={m.createdAt} />
          </td>
          <td className="wrap">{m.to}</td>
          <td>{m.purpose}</td>
          <td>{m.code ? <code>{m.code}</code> : <span className="muted">—</span>}</td>
          <td className="wrap">
            {m.subject ? <strong>{m.subject}: </strong> : null}
            {m.body}
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
