import { isRecord } from './definition-error.js';

/** A function's answer as the gateway sends it on. */
export interface ProxyResponse {
  statusCode: number;
  /** Header name → values (several for multi-value headers). */
  headers: Map<string, string[]>;
  body: Buffer;
}

/** Headers the gateway writes itself: the function's values would contradict the body it sends. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

const headerValue = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

/**
 * Reads the Lambda proxy integration's response (`statusCode`, `headers`, `multiValueHeaders`, `body`,
 * `isBase64Encoded`); answers the reason when it is malformed (API Gateway then answers 502). Values of
 * `headers` and `multiValueHeaders` for one name are both sent.
 */
export function parseProxyResponse(payload: string | undefined): ProxyResponse | { malformed: string } {
  let value: unknown;
  try {
    value = payload === undefined || payload === '' ? null : JSON.parse(payload);
  } catch {
    return { malformed: 'the function answered something that is not JSON' };
  }
  if (!isRecord(value)) return { malformed: `the function answered ${value === null ? 'null' : typeof value}, not an object with statusCode` };
  const status = value.statusCode;
  const statusCode = typeof status === 'number' ? status : typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : NaN;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { malformed: `statusCode ${JSON.stringify(status)} is not an HTTP status (an integer from 100 to 599)` };
  }
  const headers = new Map<string, string[]>();
  const add = (name: string, v: string): void => {
    if (HOP_BY_HOP.has(name.toLowerCase())) return;
    if (/[\r\n]/.test(name) || /[\r\n]/.test(v)) return;
    const key = [...headers.keys()].find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    headers.set(key, [...(headers.get(key) ?? []), v]);
  };
  if (value.headers !== undefined && value.headers !== null) {
    if (!isRecord(value.headers)) return { malformed: 'headers must be an object of strings' };
    for (const [name, v] of Object.entries(value.headers)) {
      const text = headerValue(v);
      if (text === undefined) return { malformed: `the header ${name} is ${JSON.stringify(v)}, not a string` };
      add(name, text);
    }
  }
  if (value.multiValueHeaders !== undefined && value.multiValueHeaders !== null) {
    if (!isRecord(value.multiValueHeaders)) return { malformed: 'multiValueHeaders must be an object of string lists' };
    for (const [name, list] of Object.entries(value.multiValueHeaders)) {
      if (!Array.isArray(list)) return { malformed: `multiValueHeaders.${name} is not a list` };
      for (const v of list) {
        const text = headerValue(v);
        if (text === undefined) return { malformed: `multiValueHeaders.${name} holds ${JSON.stringify(v)}, not a string` };
        // A value given in both maps is sent once (API Gateway merges the two).
        const existing = [...headers].find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] ?? [];
        if (!existing.includes(text)) add(name, text);
      }
    }
  }
  const rawBody = value.body;
  if (rawBody !== undefined && rawBody !== null && typeof rawBody !== 'string') {
    return { malformed: `body is ${Array.isArray(rawBody) ? 'a list' : typeof rawBody}: a proxy response's body must be a string (JSON.stringify it)` };
  }
  if (value.isBase64Encoded !== undefined && value.isBase64Encoded !== null && typeof value.isBase64Encoded !== 'boolean') {
    return { malformed: 'isBase64Encoded must be true or false' };
  }
  const text = rawBody ?? '';
  const body = value.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, body };
}
