import type { ResourceHandler, ResourceResult } from '../../kernel/types.js';
import type { ApiStore } from './api-store.js';
import { definitionError } from './definition-error.js';
import { RESPONSE_TYPES } from './gateway-errors.js';
import { parseGatewayResponse } from './gateway-response-definition.js';

const TYPE = 'AWS::ApiGateway::GatewayResponse';

/**
 * `AWS::ApiGateway::GatewayResponse`: the status, headers (static `gatewayresponse.header.<Name>` values) and
 * body template of the gateway's own answers of one type (Amplify's DEFAULT_4XX / DEFAULT_5XX add CORS
 * headers). Ref = `<apiId>-<ResponseType>`. A new API or type replaces it.
 */
export function createGatewayResponseHandler(options: { store: ApiStore }): ResourceHandler {
  const apply = async (props: Record<string, unknown>): Promise<ResourceResult> => {
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
    await options.store.putGatewayResponse(apiId, type, definition);
    return { physicalId: `${apiId}-${type}`, attributes: {} };
  };
  const keyOf = (physicalId: string): [string, string] => {
    const dash = physicalId.indexOf('-');
    return [physicalId.slice(0, dash), physicalId.slice(dash + 1)];
  };
  return {
    replaceOn: ['RestApiId', 'ResponseType'],
    create: (props) => apply(props),
    update: (_physicalId, props) => apply(props),
    delete: async (physicalId) => {
      const [apiId, type] = keyOf(physicalId);
      await options.store.deleteGatewayResponse(apiId, type);
    },
  };
}
