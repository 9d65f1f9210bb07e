import { awsCall, jsonAnswer, pipeFetch } from './api.js';

/** Lambda's REST API (`/2015-03-31/functions`) and the function logs' CloudWatch Logs API, through the console's pipe. */

const FUNCTIONS = '2015-03-31/functions';

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Handler?: string;
  MemorySize?: number;
  Timeout?: number;
  LastModified?: string;
  Description?: string;
  CodeSize?: number;
  Environment?: { Variables?: Record<string, string> };
}

/** ListFunctions, every page. */
export async function listFunctions(): Promise<FunctionConfiguration[]> {
  const all: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const query = new URLSearchParams({ MaxItems: '50', ...(marker ? { Marker: marker } : {}) });
    const page = await jsonAnswer<{ Functions: FunctionConfiguration[]; NextMarker?: string }>(await pipeFetch(`${FUNCTIONS}/?${query.toString()}`));
    all.push(...page.Functions);
    marker = page.NextMarker;
  } while (marker);
  return all;
}

export async function getFunctionConfiguration(name: string): Promise<FunctionConfiguration> {
  return jsonAnswer<FunctionConfiguration>(await pipeFetch(`${FUNCTIONS}/${encodeURIComponent(name)}/configuration`));
}

export interface InvokeResult {
  statusCode: number;
  payload: string;
  functionError: string | undefined;
  logTail: string | undefined;
}

/** Invoke, RequestResponse with LogType Tail: the function's answer, its error kind if it failed, and its last 4 KB of log. */
export async function invokeFunction(name: string, event: string): Promise<InvokeResult> {
  const response = await pipeFetch(`${FUNCTIONS}/${encodeURIComponent(name)}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse', 'x-amz-log-type': 'Tail' },
    body: event,
  });
  // A refusal of the call itself (no such function, a payload that is not JSON) is Lambda's JSON error.
  if (!response.ok && !response.headers.has('x-amz-function-error')) await jsonAnswer(response);
  const tail = response.headers.get('x-amz-log-result');
  return {
    statusCode: response.status,
    payload: await response.text(),
    functionError: response.headers.get('x-amz-function-error') ?? undefined,
    logTail: tail ? new TextDecoder().decode(Uint8Array.from(atob(tail), (c) => c.charCodeAt(0))) : undefined,
  };
}

export interface LogEvent {
  timestamp: number;
  message: string;
  logStreamName: string;
  eventId: string;
}

/**
 * The function's log events since `startTime` (FilterLogEvents on `/aws/lambda/<name>`), the newest `keep` of
 * them; `undefined` when the function has not logged yet (it has no log group: asked with DescribeLogGroups
 * rather than by a call that fails).
 */
export async function recentLogEvents(name: string, startTime: number, keep = 200): Promise<LogEvent[] | undefined> {
  const group = `/aws/lambda/${name}`;
  const groups = await awsCall<{ logGroups: { logGroupName: string }[] }>('logs/', 'Logs_20140328.DescribeLogGroups', { logGroupNamePrefix: group, limit: 50 });
  if (!groups.logGroups.some((g) => g.logGroupName === group)) return undefined;
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = await awsCall<{ events: LogEvent[]; nextToken?: string }>('logs/', 'Logs_20140328.FilterLogEvents', {
      logGroupName: group,
      startTime,
      limit: 1000,
      ...(nextToken ? { nextToken } : {}),
    });
    events.push(...page.events);
    if (events.length > keep) events.splice(0, events.length - keep);
    nextToken = page.nextToken;
    if (!nextToken || page.events.length === 0) break;
  }
  return events;
}

/** An SSM parameter a Gen 1 function's secret variable names (`/amplify/<appId>/<env>/AMPLIFY_<fn>_<SECRET>`). */
const SECRET_PARAMETER = /^\/amplify\/[^/]+\/[^/]+\/AMPLIFY_/;

export const isSecretParameterName = (value: string): boolean => SECRET_PARAMETER.test(value);
