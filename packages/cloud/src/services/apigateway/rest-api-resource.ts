import { createHash } from 'node:crypto';
import type { ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import type { ApiStore } from './api-store.js';
import { definitionError, isRecord } from './definition-error.js';
import { compileSwaggerBody } from './swagger-body.js';

const TYPE = 'AWS::ApiGateway::RestApi';
/** Properties that change nothing a local gateway serves (endpoint type, compression, tags, import options). */
const IGNORED = new Set([
  'Description',
  'FailOnWarnings',
  'EndpointConfiguration',
  'MinimumCompressionSize',
  'Tags',
  'Parameters',
  'Mode',
  'DisableExecuteApiEndpoint',
]);
const BASE36 = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** API Gateway's ids are 10 lower-case letters and digits; derived from the resource, so a retried create adopts the API. */
export function apiIdOf(ctx: ResourceContext): string {
  const bytes = createHash('sha256').update(`${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`).digest();
  return Array.from({ length: 10 }, (_, i) => BASE36[bytes[i]! % BASE36.length]).join('');
}

/**
 * `AWS::ApiGateway::RestApi` with its OpenAPI (Swagger 2.0) `Body`, as Amplify's REST API stack writes it:
 * compiled (swagger-body.ts) into the resources and methods the gateway serves; whatever Forte does not
 * serve fails the push naming it. Ref = the API id; attribute `RootResourceId`. Every property changes in place.
 */
export function createRestApiHandler(options: { store: ApiStore; onChange(apiId: string, exists: boolean): void }): ResourceHandler {
  const apply = async (apiId: string, props: Record<string, unknown>): Promise<ResourceResult> => {
    for (const key of Object.keys(props)) {
      if (key === 'Body' || key === 'Name' || key === 'BinaryMediaTypes' || IGNORED.has(key)) continue;
      throw definitionError(
        `${TYPE} ${key}`,
        key === 'BodyS3Location' ? 'Forte reads the API definition from Body: put the Swagger document in the template' : 'this property is not supported',
      );
    }
    if (props.Body === undefined) throw definitionError(`${TYPE} Body`, 'Forte builds REST APIs from their Swagger 2.0 Body, which is missing');
    const definition = compileSwaggerBody(props.Body, apiId, `${TYPE} Body`);
    const binary = props.BinaryMediaTypes;
    if (binary !== undefined) {
      if (!Array.isArray(binary) || !binary.every((t) => typeof t === 'string'))
        throw definitionError(`${TYPE} BinaryMediaTypes`, 'must be a list of content types');
      definition.binaryMediaTypes = [...new Set([...definition.binaryMediaTypes, ...binary])];
    }
    const body = isRecord(props.Body) ? props.Body : undefined;
    const title = body && isRecord(body.info) && typeof body.info.title === 'string' ? body.info.title : undefined;
    const name = typeof props.Name === 'string' ? props.Name : (title ?? apiId);
    await options.store.putApi(apiId, name, definition);
    options.onChange(apiId, true);
    const root = definition.resources.find((r) => r.path === '/');
    return { physicalId: apiId, attributes: { RestApiId: apiId, RootResourceId: root?.id ?? apiId.slice(0, 6) } };
  };
  return {
    create: (props, ctx) => apply(apiIdOf(ctx), props),
    update: (apiId, props) => apply(apiId, props),
    async delete(apiId) {
      await options.store.deleteApi(apiId);
      options.onChange(apiId, false);
    },
  };
}
