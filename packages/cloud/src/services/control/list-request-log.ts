import type { ControlOperations } from '@forte/protocol';
import type { RequestLogQuery, RequestLogRow } from '../../kernel/capabilities.js';
import { controlError } from './control-errors.js';

type Input = ControlOperations['ListRequestLog']['handled'];
type Output = ControlOperations['ListRequestLog']['output'];

/** A page's end, as the next token carries it: the last row's time and request id. */
function encodeToken(row: RequestLogRow): string {
  return Buffer.from(JSON.stringify([row.at, row.requestId])).toString('base64url');
}

function decodeToken(token: string): { at: number; requestId: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string')
      return { at: value[0] as number, requestId: value[1] };
  } catch {
    // answered below
  }
  throw controlError(
    'ValidationException',
    'nextToken is not one this API gave: pass the nextToken of the previous page unchanged, or none for the first page.',
  );
}

function timeOf(field: 'from' | 'to', iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw controlError('ValidationException', `${field} must be an ISO 8601 time, like 2026-12-05T10:00:00Z.`);
  return ms;
}

/** The control API's `ListRequestLog`: the contract's filters as a query of the request log, and a page of its rows. */
export async function listRequestLog(requestLog: { query(query: RequestLogQuery): Promise<RequestLogRow[]> }, input: Input): Promise<Output> {
  const statusClass = input.status?.endsWith('xx') ? Number(input.status[0]) * 100 : undefined;
  const status: RequestLogQuery['status'] =
    input.status === undefined ? undefined : statusClass === undefined ? Number(input.status) : [statusClass, statusClass + 99];
  const from = timeOf('from', input.from);
  const to = timeOf('to', input.to);
  const query: RequestLogQuery = {
    limit: input.limit + 1,
    ...(status === undefined ? {} : { status }),
    ...(input.service === undefined ? {} : { service: input.service }),
    ...(input.principal === undefined ? {} : { principal: input.principal }),
    ...(input.accessKeyId === undefined ? {} : { accessKeyId: input.accessKeyId }),
    ...(input.user === undefined ? {} : { user: input.user }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(input.nextToken === undefined ? {} : { before: decodeToken(input.nextToken) }),
  };
  const rows = await requestLog.query(query);
  const page = rows.slice(0, input.limit);
  return {
    requests: page.map((r) => ({
      at: new Date(r.at).toISOString(),
      requestId: r.requestId,
      method: r.method,
      path: r.path,
      status: r.status,
      ms: r.ms,
      client: r.client,
      principal: r.principal,
      ...(r.service === undefined ? {} : { service: r.service }),
      ...(r.accessKeyId === undefined ? {} : { accessKeyId: r.accessKeyId }),
      ...(r.user === undefined ? {} : { user: r.user }),
    })),
    ...(rows.length > input.limit ? { nextToken: encodeToken(page[page.length - 1]!) } : {}),
  };
}
