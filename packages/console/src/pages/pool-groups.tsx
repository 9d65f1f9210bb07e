import { useState, type FormEvent } from 'react';
import { ErrorNote, Loading, ListTable } from '../parts.js';
import type { Loaded } from '../use-call.js';
import { cognito, type PoolGroup } from './users-api.js';

/** A pool's groups (ListGroups): create (CreateGroup) and delete (DeleteGroup, confirmed by its name). */
export function PoolGroups({ poolId, groups, onChanged }: { poolId: string; groups: Loaded<PoolGroup[]>; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [precedence, setPrecedence] = useState('');
  const [deleting, setDeleting] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onChanged();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  const create = (event: FormEvent): void => {
    event.preventDefault();
    void run(async () => {
      await cognito('CreateGroup', {
        UserPoolId: poolId,
        GroupName: name.trim(),
        ...(description.trim() ? { Description: description.trim() } : {}),
        ...(precedence.trim() ? { Precedence: Number(precedence) } : {}),
      });
      setName('');
      setDescription('');
      setPrecedence('');
    });
  };

  return (
    <>
      <h2>Groups</h2>
      <ErrorNote error={groups.error} />
      {groups.loading && !groups.data ? <Loading what="the groups" /> : null}
      {groups.data && groups.data.length === 0 ? <p>The pool has no groups.</p> : null}
      {groups.data && groups.data.length > 0 ? (
        <ListTable label="Groups" columns={['Group', 'Precedence', 'Description', 'Role', 'Delete']}>
          {groups.data.map((g) => (
            <tr key={g.GroupName}>
              <td>{g.GroupName}</td>
              <td>{g.Precedence ?? <span className="muted">—</span>}</td>
              <td className="wrap">{g.Description ?? ''}</td>
              <td className="wrap">{g.RoleArn ? <code>{g.RoleArn}</code> : <span className="muted">—</span>}</td>
              <td>
                {deleting === g.GroupName ? (
                  <span className="row">
                    <button
                      type="button"
                      className="danger"
                      disabled={busy}
                      onClick={() => void run(() => cognito('DeleteGroup', { UserPoolId: poolId, GroupName: g.GroupName }))}
                    >
                      Delete group {g.GroupName} now
                    </button>
                    <button type="button" className="quiet" onClick={() => setDeleting(undefined)}>
                      Keep it
                    </button>
                  </span>
                ) : (
                  <button type="button" className="danger" onClick={() => setDeleting(g.GroupName)} aria-label={`Delete group ${g.GroupName}`}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
      <form onSubmit={create} className="card inline-form" aria-label="Create a group">
        <label>
          <span>Group name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" spellCheck={false} />
        </label>
        <label>
          <span>Description (optional)</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </label>
        <label>
          <span>Precedence (optional)</span>
          <input value={precedence} onChange={(e) => setPrecedence(e.target.value)} inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
        </label>
        <button type="submit" disabled={busy}>
          Create group
        </button>
      </form>
      <ErrorNote error={error} />
    </>
  );
}
