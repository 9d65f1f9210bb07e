import type { ServerResponse } from 'node:http';
import type { ServedApi } from './api-store.js';
import { ERROR_CORS_HEADERS, GATEWAY_ERRORS, RESPONSE_TYPE_OF, type GatewayErrorKind } from './gateway-errors.js';

/** The body a gateway response template gives, with the variables Forte reads filled in. */
function fromTemplate(template: string, values: { message: string; responseType: string; requestId: string }): string {
  return template
    .replace(/\$!?\{?context\.error\.messageString\}?/g, JSON.stringify(values.message))
    .replace(/\$!?\{?context\.error\.message\}?/g, values.message)
    .replace(/\$!?\{?context\.error\.responseType\}?/g, values.responseType)
    .replace(/\$!?\{?context\.requestId\}?/g, values.requestId);
}

/**
 * Writes one of the gateway's own answers, as API Gateway does: `{"message": ...}` with `x-amzn-ErrorType`,
 * shaped by the API's gateway responses (its own type's, else DEFAULT_4XX / DEFAULT_5XX). Every such answer
 * carries CORS headers (ERROR_CORS_HEADERS), also for APIs that declare none.
 */
export function writeGatewayError(
  res: ServerResponse,
  input: { kind: GatewayErrorKind; api: ServedApi | undefined; requestId: string; message?: string; close?: boolean },
): void {
  const error = GATEWAY_ERRORS[input.kind];
  const responseType = RESPONSE_TYPE_OF[input.kind] ?? input.kind;
  const responses = { ...input.api?.definition.gatewayResponses, ...input.api?.gatewayResponses };
  const fallback = responses[error.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const own = responses[responseType];
  const message = input.message ?? error.message;
  const template = own?.template ?? fallback?.template;
  const body = template !== undefined ? fromTemplate(template, { message, responseType, requestId: input.requestId }) : JSON.stringify({ message });
  const headers: Record<string, string> = {
    ...ERROR_CORS_HEADERS,
    ...fallback?.headers,
    ...own?.headers,
    'Content-Type': 'application/json',
    'x-amzn-RequestId': input.requestId,
    'x-amzn-ErrorType': error.errorType,
    'Content-Length': String(Buffer.byteLength(body)),
  };
  if (input.close === true) headers.Connection = 'close';
  res.writeHead(own?.statusCode ?? error.status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
