import type { ServerResponse } from 'node:http';
import { xmlEscape } from '../../kernel/xml-escape.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** `<name>escaped value</name>`, or nothing when the value is undefined. */
export function el(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** Answers an XML document whose root element carries the S3 namespace. */
export function sendXml(res: ServerResponse, root: string, inner: string, status = 200, headers: Record<string, string> = {}): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;
  res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Answers an empty body. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, status === 204 || status === 304 ? headers : { ...headers, 'content-length': '0' });
  res.end();
}
