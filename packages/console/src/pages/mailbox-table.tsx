import type { MailboxMessage } from '@forte/protocol';
import { TableBox, When } from '../parts.js';

/** Messages of the cloud's mailbox: when, to whom, why, the code and the text. */
export function MailboxTable({ label, messages }: { label: string; messages: MailboxMessage[] }) {
  if (messages.length === 0) return <p>No messages.</p>;
  return (
    <TableBox label={label}>
      <thead>
        <tr>
          <th scope="col">Sent</th>
          <th scope="col">To</th>
          <th scope="col">Purpose</th>
          <th scope="col">Code</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
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
      </tbody>
    </TableBox>
  );
}
