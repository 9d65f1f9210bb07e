import type { Deployment, Environment } from '@forte/protocol';
import { Link } from '../link.js';
import { pathOf } from '../router.js';

/**
 * Says so when the environment's last deployment failed (DEPLOY_FAILED): rolled back, so the environment
 * runs what it ran before, or left with resources that need attention (or its deletion failed); with its error and a link to it.
 */
export function LastDeploymentNote({ environment, deployments }: { environment: Environment; deployments: Deployment[] | undefined }) {
  if (environment.status !== 'DEPLOY_FAILED' || !environment.lastDeploymentId) return null;
  const last = deployments?.find((d) => d.deploymentId === environment.lastDeploymentId);
  // Until the deployment is read, only that it failed is known.
  const outcome = !last ? 'failed' : last.kind === 'delete' ? 'delete' : last.status === 'FAILED' ? 'unfinished' : 'rolled-back';
  return (
    <section className="card notice rollback" aria-labelledby="last-deployment-title">
      <h2 id="last-deployment-title">{outcome === 'rolled-back' ? 'The last deployment rolled back' : 'The last deployment failed'}</h2>
      <p>
        {outcome === 'rolled-back'
          ? 'The last push failed and was rolled back: the environment runs what its previous deployment deployed. '
          : outcome === 'unfinished'
            ? 'The last push failed and its rollback did not finish: some resources may need attention. '
            : outcome === 'delete'
              ? 'Deleting the environment failed: the resources that remain are listed below; delete it again to retry. '
              : ''}
        <Link to={pathOf({ page: 'deployment', appId: environment.appId, envName: environment.envName, deploymentId: environment.lastDeploymentId })}>
          See the deployment
        </Link>
      </p>
      {last?.error ? <p className="error">{last.error}</p> : null}
    </section>
  );
}
