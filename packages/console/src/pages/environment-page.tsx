import { control } from '../api.js';
import { endpointsOf, isSecretName } from '../endpoints.js';
import { Link } from '../link.js';
import { ErrorNote, Loading, Status, ListTable, When } from '../parts.js';
import { pathOf } from '../router.js';
import { useCall } from '../use-call.js';
import { LastDeploymentNote } from './last-deployment-note.js';

/** One environment: its resources with their endpoints (DescribeStack), its outputs and its deployments. */
export function EnvironmentPage({ appId, envName }: { appId: string; envName: string }) {
  const stack = useCall(() => control('DescribeStack', { appId, envName }), [appId, envName]);
  const deployments = useCall(() => control('ListDeployments', { appId, envName }), [appId, envName]);
  const env = stack.data?.environment;
  const pools = (stack.data?.resources ?? []).filter((r) => r.resourceType === 'Forte::Cognito::UserPool');
  const tables = (stack.data?.resources ?? []).filter((r) => r.resourceType === 'Forte::DynamoDB::Table' || r.resourceType === 'AWS::DynamoDB::Table');
  const outputs = Object.entries(env?.outputs ?? {}).filter(([, value]) => typeof value === 'string' || typeof value === 'number');

  return (
    <>
      <h1>Environment {envName}</h1>
      <ErrorNote error={stack.error} />
      {env ? (
        <p>
          Status <Status value={env.status} /> · updated <When iso={env.updatedAt} />
        </p>
      ) : stack.loading ? (
        <Loading what="the environment" />
      ) : null}
      {env ? <LastDeploymentNote environment={env} deployments={deployments.data?.deployments} /> : null}
      <nav aria-label="Environment tools" className="row env-tools">
        <Link to={pathOf({ page: 'files', appId, envName })}>Files</Link>
        <Link to={pathOf({ page: 'functions', appId, envName })}>Functions</Link>
        <Link to={pathOf({ page: 'data', appId, envName })}>Data</Link>
        <Link to={pathOf({ page: 'hosting', appId, envName })}>Hosting</Link>
        <Link to={pathOf({ page: 'graphql', appId, envName })}>GraphQL</Link>
      </nav>
      <h2>Resources</h2>
      {stack.data && stack.data.resources.length === 0 ? (
        <p>
          Nothing is deployed yet: run <code>forte push</code>.
        </p>
      ) : null}
      {stack.data && stack.data.resources.length > 0 ? (
        <ListTable label="Resources" columns={['Resource', 'Type', 'Status', 'Physical id', 'Endpoints']}>
          {stack.data.resources.map((r) => (
            <tr key={r.logicalId}>
              <td>
                <code>{r.logicalId}</code>
              </td>
              <td>{r.resourceType}</td>
              <td>
                {r.status ? <Status value={r.status} /> : <span className="muted">—</span>}
                {r.statusReason ? <div className="muted">{r.statusReason}</div> : null}
              </td>
              <td className="wrap">
                <code>{r.physicalId}</code>
              </td>
              <td className="wrap">
                {endpointsOf(r.attributes).map((e) => (
                  <div key={e.name}>
                    {e.name}: <code>{e.url}</code>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
      {pools.length > 0 ? (
        <>
          <h2>User pools</h2>
          <ul>
            {pools.map((p) => (
              <li key={p.physicalId}>
                <Link to={pathOf({ page: 'users', appId, envName, poolId: p.physicalId })}>Users of {p.logicalId}</Link> (<code>{p.physicalId}</code>)
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {tables.length > 0 ? (
        <>
          <h2>Tables</h2>
          <ul>
            {tables.map((t) => (
              <li key={t.physicalId}>
                <Link to={pathOf({ page: 'table', appId, envName, tableName: t.physicalId })}>Items of {t.logicalId}</Link> (<code>{t.physicalId}</code>)
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {outputs.length > 0 ? (
        <>
          <h2>Outputs</h2>
          <ListTable label="Outputs" columns={['Output', 'Value']}>
            {outputs.map(([name, value]) => (
              <tr key={name}>
                <td>{name}</td>
                <td className="wrap">{isSecretName(name) ? <span className="muted">(hidden)</span> : <code>{String(value)}</code>}</td>
              </tr>
            ))}
          </ListTable>
        </>
      ) : null}
      <h2>Deployments</h2>
      <ErrorNote error={deployments.error} />
      {deployments.data && deployments.data.deployments.length === 0 ? <p>No deployments yet.</p> : null}
      {deployments.data && deployments.data.deployments.length > 0 ? (
        <ListTable label="Deployments" columns={['Started', 'What', 'By', 'Status', 'Ended']}>
          {deployments.data.deployments.map((d) => (
            <tr key={d.deploymentId}>
              <td>
                <Link to={pathOf({ page: 'deployment', appId, envName, deploymentId: d.deploymentId })}>
                  <When iso={d.startedAt} />
                </Link>
              </td>
              <td>{d.kind === 'delete' ? 'delete' : 'push'}</td>
              <td>
                {d.initiatedBy}
                {d.principal ? (
                  <div className="muted">
                    <code>{d.principal}</code>
                  </div>
                ) : null}
              </td>
              <td>
                <Status value={d.status} />
              </td>
              <td>
                <When iso={d.endedAt} />
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </>
  );
}
