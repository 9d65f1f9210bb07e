import { useState, type FormEvent } from 'react';
import { control } from '../api.js';
import { Link } from '../link.js';
import { ErrorNote, Loading, ListTable, When } from '../parts.js';
import { pathOf } from '../router.js';
import { useCall } from '../use-call.js';
import { MailboxTable } from './mailbox-table.js';
import { PoolGroups } from './pool-groups.js';
import { UserPanel } from './user-panel.js';
import { allGroups, attributeOf, cognito, mailbox, prefixFilter, type PoolUser } from './users-api.js';

const PAGE_SIZE = 20;

/**
 * The users of an environment's user pools (found in its resources, DescribeStack): search and pages
 * (ListUsers), create (AdminCreateUser), one user's panel, the pool's groups and its mailbox. Every call
 * goes through the pipe as the admin.
 */
export function UsersPage({ appId, envName, poolId }: { appId: string; envName: string; poolId: string | undefined }) {
  const stack = useCall(() => control('DescribeStack', { appId, envName }), [appId, envName]);
  const pools = (stack.data?.resources ?? []).filter((r) => r.resourceType.endsWith('::Cognito::UserPool'));
  const current = pools.find((p) => p.physicalId === poolId);

  return (
    <>
      <h1 className="breaks">Users{current ? ` of ${current.logicalId}` : ''}</h1>
      <p className="muted">
        The console acts as the cloud&apos;s admin: every change here is made with the admin&apos;s rights, as the AWS SDK&apos;s Admin* calls signed with the
        admin keys would be.
      </p>
      <ErrorNote error={stack.error} />
      {stack.loading && !stack.data ? <Loading what="the user pools" /> : null}
      {stack.data && pools.length === 0 ? (
        <p>
          Environment {envName} has no user pool: add one with <code>forte add auth</code> and <code>forte push</code>.
        </p>
      ) : null}
      {pools.length > 0 && (!poolId || pools.length > 1) ? (
        <nav aria-label="User pools">
          <ul className="pool-list">
            {pools.map((p) => (
              <li key={p.physicalId}>
                {p.physicalId === poolId ? (
                  <strong aria-current="page">{p.logicalId}</strong>
                ) : (
                  <Link to={pathOf({ page: 'users', appId, envName, poolId: p.physicalId })}>{p.logicalId}</Link>
                )}{' '}
                <code>{p.physicalId}</code>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {poolId && stack.data && !current ? (
        <p role="alert" className="error">
          Environment {envName} has no user pool {poolId}.
        </p>
      ) : null}
      {current ? <PoolUsers key={current.physicalId} poolId={current.physicalId} /> : null}
    </>
  );
}

function PoolUsers({ poolId }: { poolId: string }) {
  const pool = useCall(() => cognito('DescribeUserPool', { UserPoolId: poolId }), [poolId]);
  const [search, setSearch] = useState<{ attribute: string; prefix: string }>({ attribute: 'username', prefix: '' });
  const [draft, setDraft] = useState(search);
  // The tokens of the pages before this one, to go back; the current page's token.
  const [pageTokens, setPageTokens] = useState<(string | undefined)[]>([]);
  const [pageToken, setPageToken] = useState<string | undefined>();
  const [selected, setSelected] = useState<string>();
  const [changes, setChanges] = useState(0);
  const changed = (): void => setChanges((n) => n + 1);

  const users = useCall(
    () =>
      cognito('ListUsers', {
        UserPoolId: poolId,
        Limit: PAGE_SIZE,
        ...(search.prefix ? { Filter: prefixFilter(search.attribute, search.prefix) } : {}),
        ...(pageToken ? { PaginationToken: pageToken } : {}),
      }),
    [poolId, search, pageToken, changes],
  );
  const groups = useCall(() => allGroups(poolId), [poolId, changes]);
  const messages = useCall(() => mailbox({ userPoolId: poolId, limit: 100 }), [poolId, changes]);

  const find = (event: FormEvent): void => {
    event.preventDefault();
    setSearch({ ...draft, prefix: draft.prefix.trim() });
    setPageTokens([]);
    setPageToken(undefined);
  };
  const signsInByEmail = (pool.data?.UserPool.UsernameAttributes ?? []).includes('email');

  return (
    <>
      <ErrorNote error={pool.error} />
      {pool.data ? (
        <p>
          Pool <code>{pool.data.UserPool.Name}</code> ({poolId}) · users sign in with {signsInByEmail ? 'their email address' : 'a username'}
        </p>
      ) : null}

      <h2>Find users</h2>
      <form onSubmit={find} className="card inline-form" role="search" aria-label="Users">
        <label>
          <span>Search by</span>
          <select value={draft.attribute} onChange={(e) => setDraft({ ...draft, attribute: e.target.value })}>
            <option value="username">Username starts with</option>
            <option value="email">Email starts with</option>
          </select>
        </label>
        <label>
          <span>Prefix</span>
          <input type="search" value={draft.prefix} onChange={(e) => setDraft({ ...draft, prefix: e.target.value })} autoComplete="off" spellCheck={false} />
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={users.error} />
      {users.loading && !users.data ? <Loading what="the users" /> : null}
      {users.data && users.data.Users.length === 0 ? <p>{search.prefix ? 'No user matches.' : 'The pool has no users yet.'}</p> : null}
      {users.data && users.data.Users.length > 0 ? (
        <ListTable label="Users" columns={['Username', 'Email', 'Status', 'Enabled', 'Created']}>
          {users.data.Users.map((u: PoolUser) => (
            <tr key={u.Username}>
              <td className="wrap">
                <button type="button" className="link-button" onClick={() => setSelected(u.Username)} aria-pressed={selected === u.Username}>
                  {u.Username}
                </button>
              </td>
              <td className="wrap">{attributeOf(u, 'email') ?? <span className="muted">—</span>}</td>
              <td>{u.UserStatus}</td>
              <td>{u.Enabled ? 'yes' : 'disabled'}</td>
              <td>
                <When iso={new Date(u.UserCreateDate * 1000).toISOString()} />
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
      {pageTokens.length > 0 || users.data?.PaginationToken ? (
        <div className="row pager">
          <button
            type="button"
            className="quiet"
            disabled={pageTokens.length === 0}
            onClick={() => {
              setPageToken(pageTokens.at(-1));
              setPageTokens(pageTokens.slice(0, -1));
            }}
          >
            Previous page
          </button>
          <span className="muted">Page {pageTokens.length + 1}</span>
          <button
            type="button"
            className="quiet"
            disabled={!users.data?.PaginationToken}
            onClick={() => {
              setPageTokens([...pageTokens, pageToken]);
              setPageToken(users.data?.PaginationToken);
            }}
          >
            Next page
          </button>
        </div>
      ) : null}

      {selected ? (
        <UserPanel
          key={selected}
          poolId={poolId}
          username={selected}
          pool={pool.data?.UserPool}
          groups={groups.data ?? []}
          onChanged={changed}
          onClose={(deleted) => {
            setSelected(undefined);
            if (deleted) changed();
          }}
        />
      ) : null}

      <CreateUser
        poolId={poolId}
        signsInByEmail={signsInByEmail}
        onCreated={(username) => {
          changed();
          setSelected(username);
        }}
      />

      <PoolGroups poolId={poolId} groups={groups} onChanged={changed} />

      <h2>Mailbox</h2>
      <p className="muted">
        What the cloud sent this pool&apos;s users (codes, invitations with their temporary passwords), newest first, as <code>forte mailbox</code> lists it.
      </p>
      <ErrorNote error={messages.error} />
      {messages.data ? <MailboxTable label="Pool mailbox" messages={messages.data} /> : null}
    </>
  );
}

function CreateUser({ poolId, signsInByEmail, onCreated }: { poolId: string; signsInByEmail: boolean; onCreated: (username: string) => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [invite, setInvite] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState<string>();

  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const address = signsInByEmail ? username.trim() : email.trim();
      const attributes = [
        ...(!signsInByEmail && address ? [{ Name: 'email', Value: address }] : []),
        ...(address ? [{ Name: 'email_verified', Value: 'true' }] : []),
      ];
      const { User } = await cognito('AdminCreateUser', {
        UserPoolId: poolId,
        Username: username.trim(),
        ...(attributes.length > 0 ? { UserAttributes: attributes } : {}),
        ...(password ? { TemporaryPassword: password } : {}),
        ...(invite ? (address ? { DesiredDeliveryMediums: ['EMAIL'] } : {}) : { MessageAction: 'SUPPRESS' }),
      });
      setDone(`Created ${username.trim()}${invite && address ? `; the invitation went to ${address} (see the mailbox)` : ''}.`);
      setUsername('');
      setEmail('');
      setPassword('');
      onCreated(User.Username);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2>Create a user</h2>
      <form onSubmit={create} className="card stack" aria-label="Create a user">
        <div className="inline-form">
          <label>
            <span>{signsInByEmail ? 'Email (the username)' : 'Username'}</span>
            <input
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              required
              type={signsInByEmail ? 'email' : 'text'}
              autoComplete="off"
              spellCheck={false}
            />
          </label>
          {signsInByEmail ? null : (
            <label>
              <span>Email (optional)</span>
              <input value={email} onChange={(e) => setEmail(e.target.value)} type="email" autoComplete="off" spellCheck={false} />
            </label>
          )}
          <label>
            <span>Temporary password (empty: the cloud makes one)</span>
            <input value={password} onChange={(e) => setPassword(e.target.value)} type="password" autoComplete="new-password" />
          </label>
        </div>
        <label className="check">
          <input type="checkbox" checked={invite} onChange={(e) => setInvite(e.target.checked)} />
          <span>Send an invitation with the temporary password (to the mailbox, and by email where the cloud has SMTP)</span>
        </label>
        <div className="row">
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create user'}
          </button>
        </div>
        <p className="muted">The user must choose a new password at the first sign-in, unless you set a permanent one in the user&apos;s panel.</p>
        {done ? <p role="status">{done}</p> : null}
        <ErrorNote error={error} />
      </form>
    </>
  );
}
