import type { Deployment, Environment } from '@forte/protocol';
import { Link } from '../link.js';
import { pathOf } from '../router.js';

/**
 * Says so when the environment's last deployment failed (DEPLOY_FAILED): rolled back, so the environment
 * runs what it ran before, or left with resources that need attention; with its error and a link to it.
 */
export function LastDeploymentNote({ environment, deployments }: { environment: Environment; deployments: Deployment[] | undefined }) {
  if (environment.status !== 'DEPLOY_FAILED' || !environment.lastDeploymentId) return null;
  const last = deployments?.find((d) => d.deploymentId === environment.lastDeploymentId);
  const rolledBack = last?.status !== 'FAILED';
  return (
    <section className="card notice rollback" aria-labelledby="last-deployment-title">
      <h2 id="last-deployment-title">{rolledBack ? 'The last deployment rolled back' : 'The last deployment failed'}</h2>
      <p>
        {rolledBack
          ? 'The last push failed and was rolled back: the environment runs what its previous deployment deployed.'
          : 'The last push failed and its rollback did not finish: some resources may need attention.'}{' '}
        <Link to={pathOf({ page: 'deployment', appId: environment.appId, envName: environment.envName, deploymentId: environment.lastDeploymentId })}>
          See the deployment
        </Link>
      </p>
      {last?.error ? <p className="error">{last.error}</p> : null}
    </section>
  );
}
