import { useState, type FormEvent } from 'react';
import { control } from '../api.js';
import { Link } from '../link.js';
import { ErrorNote, Loading, ListTable, When } from '../parts.js';
import { pathOf } from '../router.js';
import { useCall } from '../use-call.js';

/** Every app (project) of the cloud, and a form to create one. */
export function AppsPage() {
  const apps = useCall(() => control('ListApps', {}), []);
  const [name, setName] = useState('');
  const [error, setError] = useState<Error>();
  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    try {
      await control('CreateApp', { name });
      setName('');
      apps.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <>
      <h1>Apps</h1>
      <ErrorNote error={apps.error} />
      {apps.data ? (
        apps.data.apps.length === 0 ? (
          <p>
            No apps yet: create one below, or run <code>forte init</code> in a project.
          </p>
        ) : (
          <ListTable label="Apps" columns={['Name', 'App id', 'Created']}>
            {apps.data.apps.map((app) => (
              <tr key={app.appId}>
                <td>
                  <Link to={pathOf({ page: 'app', appId: app.appId })}>{app.name}</Link>
                </td>
                <td>
                  <code>{app.appId}</code>
                </td>
                <td>
                  <When iso={app.createdAt} />
                </td>
              </tr>
            ))}
          </ListTable>
        )
      ) : apps.loading ? (
        <Loading what="apps" />
      ) : null}
      <h2>Create an app</h2>
      <form onSubmit={create} className="card inline-form">
        <label>
          Name (3 to 20 letters and digits)
          <input value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z0-9]{3,20}" />
        </label>
        <button type="submit">Create app</button>
      </form>
      <ErrorNote error={error} />
    </>
  );
}
