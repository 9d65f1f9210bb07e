import { createHash } from 'node:crypto';
import type { ApiDefinition, ApiMethod, ApiResource, CognitoAuthorizer, MockIntegration, PathPart, ProxyIntegration } from './api-definition.js';
import { definitionError, isRecord } from './definition-error.js';
import { parseGatewayResponse, responseTemplate, staticHeaders, type GatewayResponseDefinition } from './gateway-response-definition.js';
import { RESPONSE_TYPES } from './gateway-errors.js';

/** API Gateway's limit on an integration's timeout, and its default. */
const MAX_INTEGRATION_TIMEOUT_MS = 29_000;

const METHOD_KEYS: Record<string, string> = {
  get: 'GET',
  put: 'PUT',
  post: 'POST',
  delete: 'DELETE',
  options: 'OPTIONS',
  head: 'HEAD',
  patch: 'PATCH',
  'x-amazon-apigateway-any-method': 'ANY',
};
/** Swagger fields that describe a document without changing what API Gateway serves. */
const DESCRIPTIVE_TOP = new Set([
  'swagger',
  'info',
  'host',
  'basePath',
  'schemes',
  'consumes',
  'produces',
  'definitions',
  'parameters',
  'responses',
  'tags',
  'externalDocs',
  'paths',
  'securityDefinitions',
  'security',
  'x-amazon-apigateway-request-validators',
  'x-amazon-apigateway-request-validator',
]);
/** API Gateway extensions that change nothing a local gateway serves (endpoint type, compression, docs). */
const IGNORED_TOP_EXTENSIONS = new Set([
  'x-amazon-apigateway-endpoint-configuration',
  'x-amazon-apigateway-minimum-compression-size',
  'x-amazon-apigateway-documentation',
  'x-amazon-apigateway-importexport-version',
]);
const DESCRIPTIVE_METHOD = new Set([
  'consumes',
  'produces',
  'parameters',
  'responses',
  'summary',
  'description',
  'operationId',
  'tags',
  'deprecated',
  'schemes',
  'externalDocs',
  'security',
  'x-amazon-apigateway-request-validator',
]);
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/([\w-]+_[0-9A-Za-z]+)$/;
const INTEGRATION_KEYS = new Set([
  'type',
  'uri',
  'httpMethod',
  'passthroughBehavior',
  'responses',
  'requestTemplates',
  'contentHandling',
  'timeoutInMillis',
  'cacheNamespace',
  'cacheKeyParameters',
  'credentials',
]);
const LAMBDA_URI = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;
const LITERAL_PART = /^[A-Za-z0-9._~:@!$&'()*,;=-]+$/;
const VARIABLE_PART = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;

/** API Gateway's resource ids are 6 lower-case letters and digits; derived from the path, so they are stable. */
const resourceIdOf = (apiId: string, path: string): string =>
  BigInt(`0x${createHash('sha256').update(`${apiId}${path}`).digest('hex').slice(0, 15)}`)
    .toString(36)
    .padStart(6, '0')
    .slice(-6);

function parsePath(path: string, where: string): PathPart[] {
  if (path === '/') return [];
  if (!path.startsWith('/') || path.endsWith('/')) throw definitionError(where, `the path ${path} must start with / and not end with /`);
  const segments = path.slice(1).split('/');
  return segments.map((segment, index) => {
    const variable = VARIABLE_PART.exec(segment);
    if (variable) {
      if (variable[2] === '+') {
        if (index !== segments.length - 1) throw definitionError(where, `the greedy part ${segment} of ${path} must be its last part`);
        return { kind: 'greedy', name: variable[1]! };
      }
      return { kind: 'variable', name: variable[1]! };
    }
    if (!LITERAL_PART.test(segment))
      throw definitionError(where, `the path ${path} has an invalid part "${segment}": use letters, digits, ._-~ or a {variable}`);
    return { kind: 'literal', value: segment };
  });
}

/** API Gateway refuses two different variables under one parent (`/a/{id}` and `/a/{name}`): the match would be ambiguous. */
function checkSiblings(resources: ApiResource[], where: string): void {
  const variableOf = new Map<string, string>();
  for (const resource of resources) {
    resource.parts.forEach((part, index) => {
      if (part.kind === 'literal') return;
      const parent = `/${resource.parts
        .slice(0, index)
        .map((p) => (p.kind === 'literal' ? p.value : '{}'))
        .join('/')}`;
      const name = part.kind === 'greedy' ? `{${part.name}+}` : `{${part.name}}`;
      const other = variableOf.get(parent);
      if (other !== undefined && other !== name) {
        throw definitionError(
          where,
          `the paths under ${parent} have two variable parts, ${other} and ${name}: API Gateway allows one variable part per parent`,
        );
      }
      variableOf.set(parent, name);
    });
  }
}

type SecurityKind = 'AWS_IAM' | { cognito: Omit<CognitoAuthorizer, 'scopes'> } | { unsupported: string };
type SecurityKinds = Record<string, SecurityKind>;

function cognitoAuthorizer(name: string, definition: Record<string, unknown>, where: string): SecurityKind {
  const authorizer = definition['x-amazon-apigateway-authorizer'];
  const arns = isRecord(authorizer) ? authorizer.providerARNs : undefined;
  if (!Array.isArray(arns) || arns.length === 0)
    throw definitionError(where, `securityDefinitions.${name}: a cognito_user_pools authorizer names its user pools in providerARNs`);
  const providerNames = arns.map((arn) => {
    const match = typeof arn === 'string' ? USER_POOL_ARN.exec(arn) : null;
    if (!match)
      throw definitionError(
        where,
        `securityDefinitions.${name}: ${JSON.stringify(arn)} is not a user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)`,
      );
    return `cognito-idp.${match[1]!}.amazonaws.com/${match[2]!}`;
  });
  if (definition.in !== undefined && definition.in !== 'header') throw definitionError(where, `securityDefinitions.${name}: the token must come in a header`);
  return { cognito: { providerNames, header: typeof definition.name === 'string' ? definition.name : 'Authorization' } };
}

function securityKinds(definitions: unknown, where: string): SecurityKinds {
  if (definitions === undefined) return {};
  if (!isRecord(definitions)) throw definitionError(where, 'securityDefinitions must be an object');
  const kinds: SecurityKinds = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (!isRecord(definition)) throw definitionError(where, `securityDefinitions.${name} must be an object`);
    const authType = String(definition['x-amazon-apigateway-authtype'] ?? '').toLowerCase();
    const authorizer = definition['x-amazon-apigateway-authorizer'];
    const authorizerType = isRecord(authorizer) ? String(authorizer.type ?? '').toLowerCase() : '';
    if (authType === 'awssigv4') kinds[name] = 'AWS_IAM';
    else if (authType === 'cognito_user_pools' && (authorizerType === '' || authorizerType === 'cognito_user_pools'))
      kinds[name] = cognitoAuthorizer(name, definition, where);
    else if (definition['x-amazon-apigateway-authorizer'] !== undefined || authType === 'cognito_user_pools' || authType === 'custom') {
      kinds[name] = {
        unsupported: `the authorizer ${name} (${authType || 'x-amazon-apigateway-authorizer'}) is not supported yet: use IAM (awsSigv4) authorization`,
      };
    } else kinds[name] = { unsupported: `the security definition ${name} (API keys) is not supported: use IAM (awsSigv4) authorization` };
  }
  return kinds;
}

function authorizationOf(security: unknown, kinds: SecurityKinds, where: string): Pick<ApiMethod, 'authorization' | 'cognito'> {
  if (security === undefined) return { authorization: 'NONE' };
  if (!Array.isArray(security)) throw definitionError(where, 'security must be a list of requirements');
  const requirements = security.flatMap((requirement) => (isRecord(requirement) ? Object.entries(requirement) : []));
  if (requirements.length === 0) return { authorization: 'NONE' };
  if (requirements.length > 1) {
    throw definitionError(where, `security names ${requirements.map(([n]) => n).join(', ')}: Forte supports one security requirement per method`);
  }
  const [name, scopes] = requirements[0]!;
  const kind = kinds[name];
  if (kind === undefined) throw definitionError(where, `security names ${name}, which securityDefinitions does not declare`);
  if (kind === 'AWS_IAM') return { authorization: 'AWS_IAM' };
  if ('unsupported' in kind) throw definitionError(where, kind.unsupported);
  const list = Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : [];
  return { authorization: 'COGNITO_USER_POOLS', cognito: { ...kind.cognito, scopes: list } };
}

type Validators = Record<string, { parameters: boolean }>;

function requestValidators(document: Record<string, unknown>, where: string): Validators {
  const declared = document['x-amazon-apigateway-request-validators'];
  if (declared === undefined) return {};
  if (!isRecord(declared)) throw definitionError(where, 'x-amazon-apigateway-request-validators must map names to validators');
  const validators: Validators = {};
  for (const [name, validator] of Object.entries(declared)) {
    if (!isRecord(validator)) throw definitionError(where, `x-amazon-apigateway-request-validators.${name} must be an object`);
    if (validator.validateRequestBody === true) {
      throw definitionError(where, `x-amazon-apigateway-request-validators.${name}: validating request bodies against models is not supported`);
    }
    validators[name] = { parameters: validator.validateRequestParameters === true };
  }
  return validators;
}

/** The header and query parameters a method's request validator requires. */
function requiredParametersOf(operation: Record<string, unknown>, validator: unknown, validators: Validators, where: string): ApiMethod['requiredParameters'] {
  if (validator === undefined) return undefined;
  const selected = typeof validator === 'string' && Object.hasOwn(validators, validator) ? validators[validator] : undefined;
  if (!selected) throw definitionError(where, `the request validator ${JSON.stringify(validator)} is not declared in x-amazon-apigateway-request-validators`);
  if (!selected.parameters || !Array.isArray(operation.parameters)) return undefined;
  const required = operation.parameters.flatMap((p: unknown): { in: 'header' | 'query'; name: string }[] =>
    isRecord(p) && p.required === true && (p.in === 'header' || p.in === 'query') && typeof p.name === 'string' ? [{ in: p.in, name: p.name }] : [],
  );
  return required.length > 0 ? required : undefined;
}

function proxyIntegration(integration: Record<string, unknown>, where: string): ProxyIntegration {
  const uri = typeof integration.uri === 'string' ? LAMBDA_URI.exec(integration.uri) : null;
  if (!uri) {
    throw definitionError(
      where,
      `the aws_proxy integration's uri ${JSON.stringify(integration.uri)} does not name a Lambda function: use arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`,
    );
  }
  if (String(integration.httpMethod ?? '').toUpperCase() !== 'POST') {
    throw definitionError(where, `a Lambda proxy integration is called with httpMethod POST, not ${JSON.stringify(integration.httpMethod)}`);
  }
  const timeoutMs = integration.timeoutInMillis === undefined ? MAX_INTEGRATION_TIMEOUT_MS : Number(integration.timeoutInMillis);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 50 || timeoutMs > MAX_INTEGRATION_TIMEOUT_MS) {
    throw definitionError(where, `timeoutInMillis must be 50 to ${MAX_INTEGRATION_TIMEOUT_MS}`);
  }
  return { type: 'aws_proxy', functionArn: uri[1]!, timeoutMs };
}

/** A mock integration answers the integration response its request template's statusCode selects. */
function mockIntegration(integration: Record<string, unknown>, where: string): MockIntegration {
  let statusCode = 200;
  const templates = integration.requestTemplates;
  if (isRecord(templates) && typeof templates['application/json'] === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(templates['application/json']);
    } catch {
      throw definitionError(where, 'the mock request template must be JSON such as {"statusCode": 200} (Velocity is not evaluated)');
    }
    if (isRecord(parsed) && parsed.statusCode !== undefined) statusCode = Number(parsed.statusCode);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
      throw definitionError(where, 'the mock request template names no valid statusCode');
  }
  const responses = isRecord(integration.responses) ? integration.responses : {};
  const selects = (pattern: string): boolean => {
    try {
      return new RegExp(`^(?:${pattern})$`).test(String(statusCode));
    } catch {
      throw definitionError(where, `the integration response pattern ${pattern} is not a regular expression`);
    }
  };
  const selected = Object.entries(responses).find(([pattern]) => pattern !== 'default' && selects(pattern))?.[1] ?? responses['default'];
  if (!isRecord(selected)) throw definitionError(where, `the mock integration has no response for status ${statusCode}: add responses.default`);
  const status = selected.statusCode === undefined ? statusCode : Number(selected.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) throw definitionError(where, 'the mock integration response has an invalid statusCode');
  const mock: MockIntegration = { type: 'mock', statusCode: status, headers: staticHeaders(selected.responseParameters, 'method.response.header.', where) };
  const body = responseTemplate(selected.responseTemplates, where, new Set());
  if (body !== undefined) mock.body = body;
  return mock;
}

function parseMethod(
  operation: unknown,
  httpMethod: string,
  defaults: { security: unknown; kinds: SecurityKinds; validators: Validators; validator: unknown },
  where: string,
): ApiMethod {
  if (!isRecord(operation)) throw definitionError(where, 'a method must be an object');
  for (const key of Object.keys(operation)) {
    if (DESCRIPTIVE_METHOD.has(key) || key === 'x-amazon-apigateway-integration' || key === 'x-amazon-apigateway-auth') continue;
    if (key === 'x-amazon-apigateway-api-key-required' && operation[key] !== true) continue;
    if (key.startsWith('x-amazon-apigateway-') || !key.startsWith('x-')) throw definitionError(where, `${key} is not supported`);
  }
  const integration = operation['x-amazon-apigateway-integration'];
  if (!isRecord(integration)) throw definitionError(where, 'the method has no x-amazon-apigateway-integration');
  for (const key of Object.keys(integration)) {
    if (INTEGRATION_KEYS.has(key)) continue;
    if (key === 'requestParameters' && isRecord(integration[key]) && Object.keys(integration[key]).length === 0) continue;
    throw definitionError(where, `x-amazon-apigateway-integration.${key} is not supported`);
  }
  const type = String(integration.type ?? '').toLowerCase();
  let compiled: ApiMethod['integration'];
  if (type === 'aws_proxy') compiled = proxyIntegration(integration, where);
  else if (type === 'mock') compiled = mockIntegration(integration, where);
  else
    throw definitionError(
      where,
      `the integration type ${JSON.stringify(integration.type)} is not supported: Forte serves aws_proxy (Lambda proxy) and mock integrations`,
    );

  let auth = authorizationOf(operation.security ?? defaults.security, defaults.kinds, where);
  const override = operation['x-amazon-apigateway-auth'];
  if (override !== undefined) {
    const authType = isRecord(override) ? String(override.type ?? '').toUpperCase() : '';
    if (authType === 'AWS_IAM' || authType === 'NONE') auth = { authorization: authType };
    else
      throw definitionError(
        where,
        `x-amazon-apigateway-auth type ${JSON.stringify(isRecord(override) ? override.type : override)} is not supported: use AWS_IAM or NONE`,
      );
  }
  const method: ApiMethod = { httpMethod, ...auth, integration: compiled };
  const required = requiredParametersOf(operation, operation['x-amazon-apigateway-request-validator'] ?? defaults.validator, defaults.validators, where);
  if (required) method.requiredParameters = required;
  return method;
}

/**
 * Compiles the OpenAPI (Swagger 2.0) `Body` of an `AWS::ApiGateway::RestApi` into what the gateway serves,
 * as API Gateway imports it (basePath ignored). Throws a ValidationException naming the first thing Forte
 * does not serve, with where it is (`paths./items.get ...`).
 */
export function compileSwaggerBody(body: unknown, apiId: string, where: string): ApiDefinition {
  let document = body;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document);
    } catch {
      throw definitionError(where, 'Body must be a Swagger 2.0 document (an object, or its JSON text)');
    }
  }
  if (!isRecord(document)) throw definitionError(where, 'Body must be a Swagger 2.0 document');
  if (document.swagger !== '2.0') {
    throw definitionError(
      where,
      `Body is ${document.openapi === undefined ? 'not Swagger 2.0' : `OpenAPI ${String(document.openapi)}`}: Forte reads Swagger 2.0 documents, as Amplify writes them`,
    );
  }
  let binaryMediaTypes: string[] = [];
  const gatewayResponses: Record<string, GatewayResponseDefinition> = {};
  for (const [key, value] of Object.entries(document)) {
    if (DESCRIPTIVE_TOP.has(key) || IGNORED_TOP_EXTENSIONS.has(key)) continue;
    if (key === 'x-amazon-apigateway-binary-media-types') {
      if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) throw definitionError(where, `${key} must be a list of content types`);
      binaryMediaTypes = value as string[];
    } else if (key === 'x-amazon-apigateway-gateway-responses') {
      if (!isRecord(value)) throw definitionError(where, `${key} must map response types to responses`);
      for (const [type, response] of Object.entries(value)) {
        if (!RESPONSE_TYPES.has(type)) throw definitionError(where, `${key}: ${type} is not a gateway response type`);
        if (!isRecord(response)) throw definitionError(where, `${key}.${type} must be an object`);
        gatewayResponses[type] = parseGatewayResponse(response, `${where} ${key}.${type}`);
      }
    } else if (key.startsWith('x-amazon-apigateway-')) {
      throw definitionError(where, `${key} is not supported`);
    } else if (!key.startsWith('x-')) {
      throw definitionError(where, `the Swagger field ${key} is not supported`);
    }
  }
  const kinds = securityKinds(document.securityDefinitions, where);
  const validators = requestValidators(document, where);
  if (!isRecord(document.paths)) throw definitionError(where, 'Body has no paths');
  const resources: ApiResource[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const at = `${where} paths.${path}`;
    if (!isRecord(item)) throw definitionError(at, 'a path must be an object of methods');
    const parts = parsePath(path, at);
    const methods: Record<string, ApiMethod> = {};
    for (const [key, operation] of Object.entries(item)) {
      const httpMethod = METHOD_KEYS[key];
      if (httpMethod !== undefined)
        methods[httpMethod] = parseMethod(
          operation,
          httpMethod,
          { security: document.security, kinds, validators, validator: document['x-amazon-apigateway-request-validator'] },
          `${at}.${key}`,
        );
      else if (key !== 'parameters' && (key.startsWith('x-amazon-apigateway-') || !key.startsWith('x-'))) throw definitionError(at, `${key} is not supported`);
    }
    resources.push({ path, id: resourceIdOf(apiId, path), parts, methods });
  }
  checkSiblings(resources, where);
  return { resources, binaryMediaTypes, gatewayResponses };
}
