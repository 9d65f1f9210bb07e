import type { ServerResponse } from 'node:http';
import type { ForteErrorShape } from '@forte/protocol';
import { xmlEscape } from './xml-escape.js';
import { ErrorFormat } from './types.js';

/** The masked answer to an unexpected error, per protocol family: details stay in the log. */
export function internalErrorFor(format: ErrorFormat): { code: string; message: string } {
  return format === 'xml'
    ? { code: 'InternalError', message: 'We encountered an internal error. Please try again.' }
    : { code: 'InternalFailure', message: 'The server encountered an internal error. Please try again.' };
}

/** Writes `error` in the AWS shape of the route's protocol family. */
export function writeErrorResponse(
  res: ServerResponse,
  format: ErrorFormat,
  error: Pick<ForteErrorShape, 'code' | 'message' | 'status' | 'headers' | 'fields'>,
  requestId: string,
): void {
  const headers: Record<string, string> = { ...error.headers };
  let body: string;
  switch (format) {
    case 'xml': {
      const extra = Object.entries(error.fields ?? {})
        .map(([name, value]) => `<${name}>${xmlEscape(String(value))}</${name}>`)
        .join('');
      body =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>${extra}` +
        `<RequestId>${xmlEscape(requestId)}</RequestId><HostId>${xmlEscape(requestId)}</HostId></Error>`;
      headers['content-type'] = 'application/xml';
      break;
    }
    case 'json':
      body = JSON.stringify({ __type: error.code, message: error.message, ...error.fields });
      headers['content-type'] = 'application/x-amz-json-1.1';
      headers['x-amzn-errortype'] = error.code;
      break;
    case 'graphql':
      body = JSON.stringify({ errors: [{ errorType: error.code, message: error.message }] });
      headers['content-type'] = 'application/json';
      headers['x-amzn-errortype'] = error.code;
      break;
    case 'text':
      body = `${error.code}: ${error.message}\n`;
      headers['content-type'] = 'text/plain; charset=utf-8';
      break;
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(error.status, headers);
  res.end(body);
}
