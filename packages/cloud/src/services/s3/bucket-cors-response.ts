import type { ServerResponse } from 'node:http';
import { answerPreflight } from '../../kernel/cors.js';
import type { RequestContext } from '../../kernel/types.js';
import { corsNotAllowed, corsRuleHeaders, matchCorsRule, requestedHeaders } from './bucket-cors.js';
import { single } from './object-headers.js';
import type { ObjectStore } from './object-store.js';
import { S3_ERRORS } from './s3-errors.js';

/** Drops the CORS headers the kernel set for every API answer (a bucket's own rules decide instead). */
function clearCorsHeaders(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) if (name.startsWith('access-control-') || name === 'vary') res.removeHeader(name);
}

/**
 * A preflight (OPTIONS) to S3. A bucket with CORS rules is answered by its rules, as S3 does: the first rule
 * that allows the Origin, the announced method and every announced header, or 403. A bucket without rules
 * (and the service itself) answers any origin, as the cloud's other browser APIs do: Forte's buckets are
 * for apps on other origins, and templates that say nothing about CORS still work from a browser.
 */
export async function answerS3Preflight(ctx: RequestContext, store: ObjectStore, bucket: string | undefined): Promise<void> {
  const origin = single(ctx.req.headers.origin);
  const method = single(ctx.req.headers['access-control-request-method']);
  if (origin === undefined || method === undefined) {
    ctx.req.resume();
    clearCorsHeaders(ctx.res);
    throw S3_ERRORS.error('BadRequest', 'Insufficient information. Origin request header needed.');
  }
  const rules = bucket === undefined ? undefined : await store.getBucketCors(bucket);
  if (rules === undefined || rules === 'missing') return answerPreflight(ctx.req, ctx.res);
  clearCorsHeaders(ctx.res);
  const headers = requestedHeaders(single(ctx.req.headers['access-control-request-headers']));
  const rule = matchCorsRule(rules, origin, method, headers);
  if (!rule) throw corsNotAllowed();
  ctx.res.writeHead(200, { ...corsRuleHeaders(rule, origin, headers), 'content-length': '0' });
  ctx.res.end();
}

/**
 * Before answering a request with an Origin to a bucket with CORS rules: the kernel's CORS headers give way
 * to those of the matching rule (for the request's method), or to none. Errors keep what is set here.
 */
export async function applyBucketCors(ctx: RequestContext, store: ObjectStore, bucket: string): Promise<void> {
  const origin = single(ctx.req.headers.origin);
  if (origin === undefined) return;
  const rules = await store.getBucketCors(bucket);
  if (rules === undefined || rules === 'missing') return;
  clearCorsHeaders(ctx.res);
  const method = single(ctx.req.headers['access-control-request-method']) ?? ctx.req.method ?? 'GET';
  const rule = matchCorsRule(rules, origin, method, []);
  if (rule) for (const [name, value] of Object.entries(corsRuleHeaders(rule, origin, undefined))) ctx.res.setHeader(name, value);
}
