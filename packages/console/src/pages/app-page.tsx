import { useState, type FormEvent } from 'react';
import { control } from '../api.js';
import { Link } from '../link.js';
import { ErrorNote, Loading, Status, TableBox, When } from '../parts.js';
import { navigate, pathOf } from '../router.js';
import { useCall } from '../use-call.js';
import { DeleteEnvironment } from './delete-environment.js';

/** One app: its environments (create, delete with the data-loss safeguard), and deleting the app once it has none. */
export function AppPage({ appId }: { appId: string }) {
  const app = useCall(() => control('GetApp', { appId }), [appId]);
  const environments = useCall(() => control('ListEnvironments', { appId }), [appId]);
  const [envName, setEnvName] = useState('');
  const [deleting, setDeleting] = useState<string>();
  const [error, setError] = useState<Error>();

  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    try {
      await control('CreateEnvironment', { appId, envName });
      setEnvName('');
      environments.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const deleteApp = async (): Promise<void> => {
    setError(undefined);
    try {
      await control('DeleteApp', { appId });
      navigate(pathOf({ page: 'apps' }));
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const envs = environments.data?.environments ?? [];

  return (
    <>
      <h1>{app.data ? app.data.app.name : 'App'}</h1>
      <ErrorNote error={app.error} />
      {app.data ? (
        <p className="muted">
          App id <code>{app.data.app.appId}</code> · created <When iso={app.data.app.createdAt} />
        </p>
      ) : null}
      <h2>Environments</h2>
      <ErrorNote error={environments.error} />
      {environments.loading && !environments.data ? <Loading what="environments" /> : null}
      {environments.data && envs.length === 0 ? <p>No environments yet.</p> : null}
      {envs.length > 0 ? (
        <TableBox label="Environments">
          <thead>
            <tr>
              <th scope="col">Environment</th>
              <th scope="col">Status</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {envs.map((env) => (
              <tr key={env.envName}>
                <td>
                  <Link to={pathOf({ page: 'environment', appId, envName: env.envName })}>{env.envName}</Link>
                </td>
                <td>
                  <Status value={env.status} />
                </td>
                <td>
                  <When iso={env.updatedAt} />
                </td>
                <td>
                  <button type="button" className="danger" onClick={() => setDeleting(env.envName)} aria-label={`Delete environment ${env.envName}`}>
                    Delete…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </TableBox>
      ) : null}
      {deleting ? (
        <DeleteEnvironment
          appId={appId}
          envName={deleting}
          onClose={(deleted) => {
            setDeleting(undefined);
            if (deleted) environments.reload();
          }}
        />
      ) : null}
      <h2>Create an environment</h2>
      <form onSubmit={create} className="card inline-form">
        <label>
          Name (2 to 10 lowercase letters)
          <input value={envName} onChange={(e) => setEnvName(e.target.value)} required pattern="[a-z]{2,10}" />
        </label>
        <button type="submit">Create environment</button>
      </form>
      <ErrorNote error={error} />
      <h2>Delete this app</h2>
      {envs.length > 0 ? (
        <p className="muted">An app with environments cannot be deleted: delete its environments first.</p>
      ) : (
        <p className="muted">The app has no environments; deleting it cannot lose data.</p>
      )}
      <button type="button" className="danger" disabled={!environments.data || envs.length > 0} onClick={deleteApp}>
        Delete app
      </button>
    </>
  );
}
