/**
 * The answers API Gateway itself gives (not the integration's): each with its gateway response type (which
 * `AWS::ApiGateway::GatewayResponse` resources and `x-amazon-apigateway-gateway-responses` customise), its
 * status, `x-amzn-ErrorType` and message, as API Gateway answers them.
 */
export const GATEWAY_ERRORS = {
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' },
  BAD_REQUEST_PARAMETERS: { status: 400, errorType: 'BadRequestException', message: 'Missing required request parameters' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException', message: 'Forbidden' },
  INVALID_SIGNATURE: { status: 403, errorType: 'InvalidSignatureException', message: 'Forbidden' },
  EXPIRED_TOKEN: { status: 403, errorType: 'ExpiredTokenException', message: 'The security token included in the request is expired' },
  UNRECOGNIZED_CLIENT: { status: 403, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  INCOMPLETE_SIGNATURE: { status: 403, errorType: 'IncompleteSignatureException', message: 'Forbidden' },
  FORBIDDEN: { status: 403, errorType: 'ForbiddenException', message: 'Forbidden' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException', message: 'Request Too Long' },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException', message: 'Too Many Requests' },
  INTEGRATION_FAILURE: { status: 502, errorType: 'InternalServerErrorException', message: 'Internal server error' },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException', message: 'Endpoint request timed out' },
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' },
} as const;

export type GatewayErrorKind = keyof typeof GATEWAY_ERRORS;

/** The gateway response type that customises each kind, when it is not the kind's own name. */
export const RESPONSE_TYPE_OF: Partial<Record<GatewayErrorKind, string>> = {
  UNRECOGNIZED_CLIENT: 'INVALID_SIGNATURE',
  INCOMPLETE_SIGNATURE: 'INVALID_SIGNATURE',
  FORBIDDEN: 'DEFAULT_4XX',
};

/** The gateway response types API Gateway defines (`AWS::ApiGateway::GatewayResponse` `ResponseType`). */
export const RESPONSE_TYPES = new Set([
  'ACCESS_DENIED',
  'API_CONFIGURATION_ERROR',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'AUTHORIZER_FAILURE',
  'BAD_REQUEST_PARAMETERS',
  'BAD_REQUEST_BODY',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'EXPIRED_TOKEN',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'INVALID_API_KEY',
  'INVALID_SIGNATURE',
  'MISSING_AUTHENTICATION_TOKEN',
  'QUOTA_EXCEEDED',
  'REQUEST_TOO_LARGE',
  'RESOURCE_NOT_FOUND',
  'THROTTLED',
  'UNAUTHORIZED',
  'UNSUPPORTED_MEDIA_TYPE',
  'WAF_FILTERED',
]);

/**
 * The CORS headers every gateway error carries, whatever the API declares (its gateway responses add to
 * them): a browser app then reads the real error instead of failing on CORS. These are the values of
 * Amplify's DEFAULT_4XX / DEFAULT_5XX gateway responses.
 */
export const ERROR_CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent',
  'Access-Control-Allow-Methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT',
  'Access-Control-Expose-Headers': 'Date,X-Amzn-ErrorType',
};
