import type { ForteError } from '@forte/protocol';
import { xmlElements } from './xml-elements.js';
import { xmlUnescape } from '../../kernel/xml-escape.js';
import { el } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

/** One rule of a bucket's CORS configuration, in S3's terms. */
export interface CorsRule {
  id?: string;
  allowedMethods: string[];
  allowedOrigins: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);
const MAX_RULES = 100;

/** Checks rules as S3 does when a configuration is stored; answers them unchanged. */
export function validateCorsRules(rules: CorsRule[]): CorsRule[] {
  if (rules.length === 0 || rules.length > MAX_RULES) throw malformed(`a CORS configuration holds 1 to ${MAX_RULES} rules`);
  for (const rule of rules) {
    if (rule.allowedMethods.length === 0 || rule.allowedOrigins.length === 0) throw malformed('every CORSRule needs an AllowedMethod and an AllowedOrigin');
    for (const method of rule.allowedMethods) {
      if (!METHODS.has(method)) throw S3_ERRORS.error('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
    }
    for (const origin of rule.allowedOrigins) {
      if (origin.split('*').length > 2) throw S3_ERRORS.error('InvalidRequest', `AllowedOrigin "${origin}" can not have more than one wildcard.`);
    }
    for (const header of rule.allowedHeaders) {
      if (header.split('*').length > 2) throw S3_ERRORS.error('InvalidRequest', `AllowedHeader "${header}" can not have more than one wildcard.`);
    }
    if (rule.maxAgeSeconds !== undefined && (!Number.isSafeInteger(rule.maxAgeSeconds) || rule.maxAgeSeconds < 0))
      throw malformed('MaxAgeSeconds is a whole number of seconds');
  }
  return rules;
}

/** The rules of a PutBucketCors body (`<CORSConfiguration><CORSRule>…`). */
export function parseCorsXml(xml: string): CorsRule[] {
  if (!/<CORSConfiguration[\s>]/.test(xml)) throw malformed('the root element is CORSConfiguration');
  const rules: CorsRule[] = [];
  const fail = (): Error => malformed('every element is closed');
  for (const inner of xmlElements(xml, 'CORSRule', fail)) {
    const all = (name: string) => xmlElements(inner, name, fail).map((m) => xmlUnescape(m).trim());
    const id = all('ID')[0];
    const maxAge = all('MaxAgeSeconds')[0];
    if (maxAge !== undefined && !/^\d+$/.test(maxAge)) throw malformed('MaxAgeSeconds is a whole number of seconds');
    rules.push({
      ...(id === undefined ? {} : { id }),
      allowedMethods: all('AllowedMethod'),
      allowedOrigins: all('AllowedOrigin'),
      allowedHeaders: all('AllowedHeader'),
      exposeHeaders: all('ExposeHeader'),
      ...(maxAge === undefined ? {} : { maxAgeSeconds: Number(maxAge) }),
    });
  }
  return validateCorsRules(rules);
}

/** The GetBucketCors answer's inner XML. */
export function corsXml(rules: CorsRule[]): string {
  return rules
    .map(
      (r) =>
        '<CORSRule>' +
        el('ID', r.id) +
        r.allowedHeaders.map((h) => el('AllowedHeader', h)).join('') +
        r.allowedMethods.map((m) => el('AllowedMethod', m)).join('') +
        r.allowedOrigins.map((o) => el('AllowedOrigin', o)).join('') +
        r.exposeHeaders.map((h) => el('ExposeHeader', h)).join('') +
        el('MaxAgeSeconds', r.maxAgeSeconds) +
        '</CORSRule>',
    )
    .join('');
}

/** `*` in a rule's pattern stands for any run of characters (patterns hold at most one). */
function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/**
 * The first rule that allows `origin` to send `method` with `headers` (Access-Control-Request-Headers,
 * lower-cased), as S3 evaluates them: origins case-sensitive, headers not.
 */
export function matchCorsRule(rules: CorsRule[], origin: string, method: string, headers: string[]): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatches(o, origin, false)) &&
      rule.allowedMethods.includes(method) &&
      headers.every((h) => rule.allowedHeaders.some((a) => wildcardMatches(a, h, true))),
  );
}

/** The CORS headers an answer carries for a matched rule (`requestHeaders` only on preflights). */
export function corsRuleHeaders(rule: CorsRule, origin: string, requestHeaders: string[] | undefined): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) headers['access-control-allow-credentials'] = 'true';
  if (rule.exposeHeaders.length > 0) headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (requestHeaders !== undefined && requestHeaders.length > 0) headers['access-control-allow-headers'] = requestHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  return headers;
}

/** Access-Control-Request-Headers as a list of lower-case names. */
export function requestedHeaders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

export function corsNotAllowed(): ForteError {
  return S3_ERRORS.error(
    'AccessForbidden',
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
  );
}

function malformed(detail: string): ForteError {
  return S3_ERRORS.error('MalformedXML', `The XML you provided was not well-formed or did not validate against our published schema (${detail}).`);
}
