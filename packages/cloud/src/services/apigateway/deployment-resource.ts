import { createHash } from 'node:crypto';
import type { ResourceHandler, ResourceResult } from '../../kernel/types.js';
import type { ApiStore } from './api-store.js';
import { definitionError, isRecord } from './definition-error.js';

const TYPE = 'AWS::ApiGateway::Deployment';
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `AWS::ApiGateway::Deployment` with `StageName` (Amplify's: the environment's name): the stage the API is
 * served under, `<endpoint>/restapis/<apiId>/<stage>/...`. A stage serves the API's current definition (an
 * update of the RestApi is live at once, as Amplify redeploys on every change). `StageDescription.Variables`
 * become the event's `stageVariables`. Ref = the deployment id. Every property changes in place.
 */
export function createDeploymentHandler(options: { store: ApiStore }): ResourceHandler {
  const apply = async (deploymentId: string, props: Record<string, unknown>): Promise<ResourceResult> => {
    for (const key of Object.keys(props)) {
      if (!['RestApiId', 'StageName', 'Description', 'StageDescription'].includes(key))
        throw definitionError(`${TYPE} ${key}`, 'this property is not supported');
    }
    const apiId = props.RestApiId;
    if (typeof apiId !== 'string' || !(await options.store.exists(apiId))) {
      throw definitionError(
        `${TYPE} RestApiId`,
        `${JSON.stringify(apiId)} is not a deployed AWS::ApiGateway::RestApi: use { "Ref": "<the RestApi's logical id>" }`,
      );
    }
    const stageName = props.StageName;
    if (typeof stageName !== 'string' || !STAGE_NAME.test(stageName)) {
      throw definitionError(`${TYPE} StageName`, 'name the stage (1 to 128 letters, digits, _ and -); Forte serves an API under a stage only');
    }
    let variables: Record<string, string> = {};
    if (props.StageDescription !== undefined) {
      const description = props.StageDescription;
      if (!isRecord(description)) throw definitionError(`${TYPE} StageDescription`, 'must be an object');
      for (const key of Object.keys(description)) {
        if (key !== 'Variables' && key !== 'Description') throw definitionError(`${TYPE} StageDescription.${key}`, 'this stage setting is not supported');
      }
      if (description.Variables !== undefined) {
        if (!isRecord(description.Variables)) throw definitionError(`${TYPE} StageDescription.Variables`, 'must map names to strings');
        variables = Object.fromEntries(Object.entries(description.Variables).map(([k, v]) => [k, String(v)]));
      }
    }
    // A changed stage or API moves the stage: the deployment's old one goes first.
    await options.store.deleteStagesOf(deploymentId);
    await options.store.putStage({ apiId, stageName, deploymentId, variables });
    return { physicalId: deploymentId, attributes: { DeploymentId: deploymentId } };
  };
  return {
    create: (props, ctx) => {
      const id = createHash('sha256').update(`${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`).digest('hex');
      return apply(
        BigInt(`0x${id.slice(0, 15)}`)
          .toString(36)
          .padStart(6, '0')
          .slice(-6),
        props,
      );
    },
    update: (deploymentId, props) => apply(deploymentId, props),
    delete: (deploymentId) => options.store.deleteStagesOf(deploymentId),
  };
}
