import type { GatewayResponseDefinition } from './gateway-response-definition.js';

/** One part of a resource path: a literal, a `{name}` variable, or the greedy `{name+}` last part. */
export type PathPart = { kind: 'literal'; value: string } | { kind: 'variable'; name: string } | { kind: 'greedy'; name: string };

/** Lambda proxy integration (`aws_proxy`): the function invoked with the REST (v1) proxy event. */
export interface ProxyIntegration {
  type: 'aws_proxy';
  /** The function's ARN (or name), as the integration's URI names it. */
  functionArn: string;
  timeoutMs: number;
}

/** Mock integration: a fixed answer (Amplify's CORS preflight OPTIONS methods). */
export interface MockIntegration {
  type: 'mock';
  statusCode: number;
  headers: Record<string, string>;
  /** The `application/json` response template, answered as it is; undefined for an empty body. */
  body?: string;
}

/** A Cognito user pool authorizer (`cognito_user_pools`): a token of one of the pools in a request header. */
export interface CognitoAuthorizer {
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>` of each pool the authorizer's `providerARNs` name. */
  providerNames: string[];
  /** The header carrying the token (`Authorization`). */
  header: string;
  /** OAuth scopes the method requires: an access token holding one of them; none: an ID token. */
  scopes: string[];
}

export interface ApiMethod {
  /** `ANY` (`x-amazon-apigateway-any-method`) or an HTTP method in upper case. */
  httpMethod: string;
  /**
   * `AWS_IAM`: SigV4 (service `execute-api`) and `execute-api:Invoke` on the method's ARN;
   * `COGNITO_USER_POOLS`: a user pool token (`cognito`).
   */
  authorization: 'NONE' | 'AWS_IAM' | 'COGNITO_USER_POOLS';
  cognito?: CognitoAuthorizer;
  /** Parameters a request validator (`validateRequestParameters`) requires, by where they are. */
  requiredParameters?: { in: 'header' | 'query'; name: string }[];
  integration: ProxyIntegration | MockIntegration;
}

export interface ApiResource {
  /** The resource path as declared, e.g. `/items/{proxy+}`. */
  path: string;
  /** API Gateway's resource id (`requestContext.resourceId`). */
  id: string;
  parts: PathPart[];
  methods: Record<string, ApiMethod>;
}

/** What a REST API serves, compiled from its OpenAPI (Swagger 2.0) body; stored as JSON. */
export interface ApiDefinition {
  resources: ApiResource[];
  /** Content types whose request bodies reach functions base64-encoded (`isBase64Encoded`). */
  binaryMediaTypes: string[];
  /** Gateway responses the body declares (`x-amazon-apigateway-gateway-responses`), by response type. */
  gatewayResponses: Record<string, GatewayResponseDefinition>;
}
