import { createHash } from 'node:crypto';
import type { ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import type { ApiStore } from './api-store.js';
import { definitionError } from './definition-error.js';
import { RESPONSE_TYPES } from './gateway-errors.js';
import { parseGatewayResponse } from './gateway-response-definition.js';

const TYPE = 'AWS::ApiGateway::GatewayResponse';

/**
 * `AWS::ApiGateway::GatewayResponse`: the status, headers (static `gatewayresponse.header.<Name>` values) and
 * body template of the gateway's own answers of one type (Amplify's DEFAULT_4XX / DEFAULT_5XX add CORS
 * headers). Ref = its own id: Amplify names these resources with a new random suffix on every build, so the
 * new resource takes the API's response over and deleting the old one afterwards leaves it in place. Every
 * property changes in place.
 */
export function createGatewayResponseHandler(options: { store: ApiStore }): ResourceHandler {
  const apply = async (resourceId: string, props: Record<string, unknown>): Promise<ResourceResult> => {
    for (const key of Object.keys(props)) {
      if (!['RestApiId', 'ResponseType', 'ResponseParameters', 'ResponseTemplates', 'StatusCode'].includes(key)) {
        throw definitionError(`${TYPE} ${key}`, 'this property is not supported');
      }
    }
    const apiId = props.RestApiId;
    if (typeof apiId !== 'string' || !(await options.store.exists(apiId))) {
      throw definitionError(
        `${TYPE} RestApiId`,
        `${JSON.stringify(apiId)} is not a deployed AWS::ApiGateway::RestApi: use { "Ref": "<the RestApi's logical id>" }`,
      );
    }
    const type = props.ResponseType;
    if (typeof type !== 'string' || !RESPONSE_TYPES.has(type))
      throw definitionError(`${TYPE} ResponseType`, `${JSON.stringify(type)} is not a gateway response type`);
    const definition = parseGatewayResponse(
      { statusCode: props.StatusCode, responseParameters: props.ResponseParameters, responseTemplates: props.ResponseTemplates },
      `${TYPE} ${type}`,
    );
    await options.store.putGatewayResponse({ apiId, responseType: type, resourceId, definition });
    return { physicalId: resourceId, attributes: {} };
  };
  const idOf = (ctx: ResourceContext): string =>
    createHash('sha256').update(`${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`).digest('hex').slice(0, 12);
  return {
    create: (props, ctx) => apply(idOf(ctx), props),
    update: async (physicalId, props) => {
      // A new API or type: the response of the old one goes.
      await options.store.deleteGatewayResponse(physicalId);
      return apply(physicalId, props);
    },
    delete: (physicalId) => options.store.deleteGatewayResponse(physicalId),
  };
}
