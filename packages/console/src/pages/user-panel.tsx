import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorNote, Loading, ListTable, When } from '../parts.js';
import { useCall } from '../use-call.js';
import { MailboxTable } from './mailbox-table.js';
import { attributesOf, cognito, mailbox, type PoolDescription, type PoolGroup } from './users-api.js';

/** Attributes no one writes: `sub`, and those the pool's schema says are not mutable. */
function readOnlyNames(pool: PoolDescription | undefined): Set<string> {
  return new Set(['sub', ...(pool?.SchemaAttributes ?? []).filter((a) => a.Mutable === false).map((a) => a.Name)]);
}

interface Props {
  poolId: string;
  username: string;
  pool: PoolDescription | undefined;
  groups: PoolGroup[];
  onChanged: () => void;
  onClose: (deleted: boolean) => void;
}

/**
 * One user: status, the admin's actions (enable/disable, reset or set the password, confirm, sign out
 * everywhere, delete), attributes (AdminUpdateUserAttributes), groups and what the mailbox holds for them.
 */
export function UserPanel({ poolId, username, pool, groups, onChanged, onClose }: Props) {
  const [version, setVersion] = useState(0);
  const user = useCall(() => cognito('AdminGetUser', { UserPoolId: poolId, Username: username }), [poolId, username, version]);
  const messages = useCall(() => mailbox({ userPoolId: poolId, username, limit: 50 }), [poolId, username, version]);
  const memberOf = useCall(() => cognito('AdminListGroupsForUser', { UserPoolId: poolId, Username: username }), [poolId, username, version]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const key = { UserPoolId: poolId, Username: username };
  /** Runs an admin operation, says what it did, and reloads the user and the page's lists. */
  const act = async (what: string, action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await action();
      setDone(what);
      setVersion((v) => v + 1);
      onChanged();
      return true;
    } catch (failure) {
      setError(failure as Error);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const u = user.data;
  const name = u?.Username ?? username;
  const email = u ? attributesOf(u).find((a) => a.Name === 'email')?.Value : undefined;
  const label = email && email !== name ? `${email} (${name})` : name;

  return (
    <section className="card stack user-panel" aria-labelledby="user-heading">
      <div className="row spread">
        <h2 id="user-heading" className="breaks" ref={heading} tabIndex={-1}>
          User {label}
        </h2>
        <button type="button" className="quiet" onClick={() => onClose(false)}>
          Close
        </button>
      </div>
      <ErrorNote error={user.error} />
      {user.loading && !u ? <Loading what="the user" /> : null}
      {u ? (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>{u.UserStatus}</dd>
            <dt>Enabled</dt>
            <dd>{u.Enabled ? 'yes' : 'no: sign-in is refused'}</dd>
            <dt>Created</dt>
            <dd>
              <When iso={new Date(u.UserCreateDate * 1000).toISOString()} />
            </dd>
            <dt>Modified</dt>
            <dd>
              <When iso={new Date(u.UserLastModifiedDate * 1000).toISOString()} />
            </dd>
          </dl>
          <div className="row" role="group" aria-label="Actions">
            {u.Enabled ? (
              <button
                type="button"
                disabled={busy}
                onClick={() => void act(`Disabled ${label}: signed out, and sign-in is refused.`, () => cognito('AdminDisableUser', key))}
              >
                Disable user
              </button>
            ) : (
              <button type="button" disabled={busy} onClick={() => void act(`Enabled ${label}.`, () => cognito('AdminEnableUser', key))}>
                Enable user
              </button>
            )}
            {u.UserStatus === 'UNCONFIRMED' ? (
              <button type="button" disabled={busy} onClick={() => void act(`Confirmed ${label}.`, () => cognito('AdminConfirmSignUp', key))}>
                Confirm sign-up
              </button>
            ) : null}
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void act(`Reset the password of ${label}: a code went to the user (see the mailbox).`, () => cognito('AdminResetUserPassword', key))
              }
            >
              Reset password
            </button>
            <button type="button" disabled={busy} onClick={() => void act(`Signed ${label} out everywhere.`, () => cognito('AdminUserGlobalSignOut', key))}>
              Sign out everywhere
            </button>
          </div>
          <SetPassword
            busy={busy}
            onSet={(password, permanent) =>
              act(`Set the password of ${label}${permanent ? '' : ' (to be changed at the next sign-in)'}.`, () =>
                cognito('AdminSetUserPassword', { ...key, Password: password, Permanent: permanent }),
              )
            }
          />
          {done ? <p role="status">{done}</p> : null}
          <ErrorNote error={error} />
          <Attributes
            attributes={attributesOf(u)}
            readOnly={readOnlyNames(pool)}
            busy={busy}
            onSave={(changes) => act(`Saved the attributes of ${label}.`, () => cognito('AdminUpdateUserAttributes', { ...key, UserAttributes: changes }))}
          />
          <h3>Groups</h3>
          <ErrorNote error={memberOf.error} />
          {memberOf.data && memberOf.data.Groups.length === 0 ? <p>In no group.</p> : null}
          {memberOf.data && memberOf.data.Groups.length > 0 ? (
            <ul className="member-of">
              {memberOf.data.Groups.map((g) => (
                <li key={g.GroupName}>
                  {g.GroupName}{' '}
                  <button
                    type="button"
                    className="quiet"
                    disabled={busy}
                    aria-label={`Remove from group ${g.GroupName}`}
                    onClick={() =>
                      void act(`Removed ${label} from ${g.GroupName}.`, () => cognito('AdminRemoveUserFromGroup', { ...key, GroupName: g.GroupName }))
                    }
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <AddToGroup
            groups={groups.filter((g) => !memberOf.data?.Groups.some((m) => m.GroupName === g.GroupName))}
            busy={busy}
            onAdd={(group) => act(`Added ${label} to ${group}.`, () => cognito('AdminAddUserToGroup', { ...key, GroupName: group }))}
          />
          <h3>Mailbox</h3>
          <ErrorNote error={messages.error} />
          {messages.data ? <MailboxTable label={`Mailbox of ${label}`} messages={messages.data} /> : null}
          <DeleteUser
            name={email ?? name}
            busy={busy}
            onDelete={async () => (await act(`Deleted ${label}.`, () => cognito('AdminDeleteUser', key))) && onClose(true)}
          />
        </>
      ) : null}
    </section>
  );
}

function SetPassword({ busy, onSet }: { busy: boolean; onSet: (password: string, permanent: boolean) => Promise<boolean> }) {
  const [password, setPassword] = useState('');
  const [permanent, setPermanent] = useState(true);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (await onSet(password, permanent)) setPassword('');
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="inline-form" aria-label="Set password">
      <label>
        <span>New password</span>
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
      </label>
      <label className="check">
        <input type="checkbox" checked={permanent} onChange={(e) => setPermanent(e.target.checked)} />
        <span>Permanent (otherwise the user must change it at the next sign-in)</span>
      </label>
      <button type="submit" disabled={busy}>
        Set password
      </button>
    </form>
  );
}

function Attributes({
  attributes,
  readOnly,
  busy,
  onSave,
}: {
  attributes: { Name: string; Value: string }[];
  readOnly: Set<string>;
  busy: boolean;
  onSave: (changes: { Name: string; Value: string }[]) => Promise<boolean>;
}) {
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [newName, setNewName] = useState('');
  const [newValue, setNewValue] = useState('');
  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const changes = attributes.filter((a) => edits[a.Name] !== undefined && edits[a.Name] !== a.Value).map((a) => ({ Name: a.Name, Value: edits[a.Name]! }));
    if (newName.trim()) changes.push({ Name: newName.trim(), Value: newValue });
    if (changes.length === 0) return;
    if (await onSave(changes)) {
      setEdits({});
      setNewName('');
      setNewValue('');
    }
  };
  return (
    <form onSubmit={(e) => void save(e)} className="stack" aria-label="Attributes">
      <h3>Attributes</h3>
      <ListTable label="Attributes" columns={['Attribute', 'Value']}>
        {attributes.map((a) => (
          <tr key={a.Name}>
            <th scope="row">
              <code>{a.Name}</code>
            </th>
            <td className="wrap">
              {readOnly.has(a.Name) ? (
                <>
                  <code>{a.Value}</code> <span className="muted">(read-only)</span>
                </>
              ) : (
                <input
                  aria-label={a.Name}
                  value={edits[a.Name] ?? a.Value}
                  onChange={(e) => setEdits({ ...edits, [a.Name]: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      <div className="inline-form">
        <label>
          <span>Add an attribute (name)</span>
          <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="custom:plan" autoComplete="off" spellCheck={false} />
        </label>
        <label>
          <span>Value</span>
          <input value={newValue} onChange={(e) => setNewValue(e.target.value)} autoComplete="off" spellCheck={false} />
        </label>
        <button type="submit" disabled={busy}>
          Save attributes
        </button>
      </div>
    </form>
  );
}

function AddToGroup({ groups, busy, onAdd }: { groups: PoolGroup[]; busy: boolean; onAdd: (group: string) => Promise<boolean> }) {
  const [group, setGroup] = useState('');
  const chosen = groups.some((g) => g.GroupName === group) ? group : (groups[0]?.GroupName ?? '');
  if (groups.length === 0) return null;
  return (
    <form
      className="inline-form"
      aria-label="Add to a group"
      onSubmit={(e) => {
        e.preventDefault();
        void onAdd(chosen);
      }}
    >
      <label>
        <span>Group</span>
        <select value={chosen} onChange={(e) => setGroup(e.target.value)}>
          {groups.map((g) => (
            <option key={g.GroupName} value={g.GroupName}>
              {g.GroupName}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        Add to group
      </button>
    </form>
  );
}

function DeleteUser({ name, busy, onDelete }: { name: string; busy: boolean; onDelete: () => Promise<unknown> }) {
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState('');
  if (!asking)
    return (
      <div className="row">
        <button type="button" className="danger" onClick={() => setAsking(true)}>
          Delete user
        </button>
      </div>
    );
  return (
    <form
      className="danger-zone stack"
      aria-label={`Delete user ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void onDelete();
      }}
    >
      <p>
        <strong>Deleting {name} cannot be undone:</strong> the user, their attributes, group memberships and sign-ins go.
      </p>
      <label>
        <span>
          Type <code>{name}</code> to confirm
        </span>
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
      </label>
      <div className="row">
        <button type="submit" className="danger" disabled={busy || typed !== name}>
          Delete {name}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
