import { useState } from 'react';
import { awsCall } from '../api.js';
import { ErrorNote, Loading, TableBox, When } from '../parts.js';
import { useCall } from '../use-call.js';

/** A user as Cognito's ListUsers answers it (what the page shows of it). */
interface PoolUser {
  Username: string;
  Attributes?: { Name: string; Value?: string }[];
  Enabled: boolean;
  UserStatus: string;
  UserCreateDate?: number;
}

const cognito = <T,>(operation: string, input: unknown): Promise<T> => awsCall<T>('cognito-idp/', `AWSCognitoIdentityProviderService.${operation}`, input);

/** The users of one user pool: Cognito's ListUsers, a page at a time, and the admin's enable, disable and delete. */
export function UsersPage({ poolId }: { poolId: string }) {
  const [pages, setPages] = useState<string[]>([]);
  const first = useCall(() => cognito<{ Users: PoolUser[]; PaginationToken?: string }>('ListUsers', { UserPoolId: poolId, Limit: 60 }), [poolId]);
  const [more, setMore] = useState<{ users: PoolUser[]; token: string | undefined }>({ users: [], token: undefined });
  const [confirming, setConfirming] = useState<string>();
  const [error, setError] = useState<Error>();
  const token = pages.length === 0 ? first.data?.PaginationToken : more.token;
  const users = [...(first.data?.Users ?? []), ...more.users];

  const loadMore = async (): Promise<void> => {
    if (!token) return;
    try {
      const page = await cognito<{ Users: PoolUser[]; PaginationToken?: string }>('ListUsers', { UserPoolId: poolId, Limit: 60, PaginationToken: token });
      setPages((p) => [...p, token]);
      setMore((m) => ({ users: [...m.users, ...page.Users], token: page.PaginationToken }));
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const act = async (operation: 'AdminEnableUser' | 'AdminDisableUser' | 'AdminDeleteUser', username: string): Promise<void> => {
    setError(undefined);
    try {
      await cognito(operation, { UserPoolId: poolId, Username: username });
      setConfirming(undefined);
      setPages([]);
      setMore({ users: [], token: undefined });
      first.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const email = (u: PoolUser): string => u.Attributes?.find((a) => a.Name === 'email')?.Value ?? '';

  return (
    <>
      <h1>Users of {poolId}</h1>
      <ErrorNote error={first.error ?? error} />
      {first.loading && !first.data ? <Loading what="users" /> : null}
      {first.data && users.length === 0 ? <p>The pool has no users.</p> : null}
      {users.length > 0 ? (
        <TableBox label="Users">
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Email</th>
              <th scope="col">Status</th>
              <th scope="col">Enabled</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.Username}>
                <td>
                  <code>{u.Username}</code>
                </td>
                <td>{email(u)}</td>
                <td>{u.UserStatus}</td>
                <td>{u.Enabled ? 'yes' : 'no'}</td>
                <td>
                  <When iso={u.UserCreateDate === undefined ? undefined : new Date(u.UserCreateDate * 1000).toISOString()} />
                </td>
                <td>
                  <div className="row">
                    <button
                      type="button"
                      onClick={() => void act(u.Enabled ? 'AdminDisableUser' : 'AdminEnableUser', u.Username)}
                      aria-label={`${u.Enabled ? 'Disable' : 'Enable'} ${u.Username}`}
                    >
                      {u.Enabled ? 'Disable' : 'Enable'}
                    </button>
                    {confirming === u.Username ? (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => void act('AdminDeleteUser', u.Username)}
                        aria-label={`Confirm deleting ${u.Username}`}
                      >
                        Confirm delete
                      </button>
                    ) : (
                      <button type="button" className="danger" onClick={() => setConfirming(u.Username)} aria-label={`Delete ${u.Username}`}>
                        Delete…
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </TableBox>
      ) : null}
      {token ? (
        <p>
          <button type="button" onClick={() => void loadMore()}>
            More users
          </button>
        </p>
      ) : null}
    </>
  );
}
