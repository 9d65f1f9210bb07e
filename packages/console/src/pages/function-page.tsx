import { useEffect, useRef, useState, type FormEvent } from 'react';
import { isSecretName } from '../endpoints.js';
import { getFunctionConfiguration, invokeFunction, isSecretParameterName, recentLogEvents, type InvokeResult, type LogEvent } from '../lambda-api.js';
import { ErrorNote, Loading, ListTable } from '../parts.js';
import { useCall } from '../use-call.js';

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** One function: its configuration, a test invocation and its recent logs. */
export function FunctionPage({ functionName }: { functionName: string }) {
  const config = useCall(() => getFunctionConfiguration(functionName), [functionName]);
  const c = config.data;
  const variables = Object.entries(c?.Environment?.Variables ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
  return (
    <>
      <h1>Function {functionName}</h1>
      <p className="muted">The console acts as the cloud&apos;s admin: invocations run as any other caller&apos;s would, with the function&apos;s own role.</p>
      <ErrorNote error={config.error} />
      {config.loading && !c ? <Loading what="the function" /> : null}
      {c ? (
        <>
          <h2>Configuration</h2>
          <dl className="facts">
            <dt>Runtime</dt>
            <dd>{c.Runtime ?? '—'}</dd>
            <dt>Handler</dt>
            <dd>
              <code>{c.Handler ?? '—'}</code>
            </dd>
            <dt>Memory</dt>
            <dd>{c.MemorySize ?? '—'} MB</dd>
            <dt>Timeout</dt>
            <dd>{c.Timeout ?? '—'} seconds</dd>
            <dt>Last modified</dt>
            <dd>{c.LastModified ?? '—'}</dd>
          </dl>
          <h2>Environment variables</h2>
          {variables.length === 0 ? <p>None.</p> : null}
          {variables.length > 0 ? (
            <ListTable label="Environment variables" columns={['Name', 'Value']}>
              {variables.map(([name, value]) => (
                <tr key={name}>
                  <td>
                    <code>{name}</code>
                  </td>
                  <td className="wrap">
                    {isSecretParameterName(value) ? (
                      <>
                        <span className="muted">secret, kept in SSM parameter</span> <code>{value}</code>
                      </>
                    ) : isSecretName(name) ? (
                      <span className="muted">(hidden)</span>
                    ) : (
                      <code>{value}</code>
                    )}
                  </td>
                </tr>
              ))}
            </ListTable>
          ) : null}
        </>
      ) : null}
      <Invoke functionName={functionName} />
      <Logs functionName={functionName} />
    </>
  );
}

/** Invoke with a JSON test event (RequestResponse, LogType Tail). */
function Invoke({ functionName }: { functionName: string }) {
  const [event, setEvent] = useState('{\n  "key": "value"\n}');
  const [result, setResult] = useState<InvokeResult | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      JSON.parse(event);
    } catch (parseError) {
      return setError(new Error(`The test event is not JSON (${asError(parseError).message}): fix it and invoke again.`));
    }
    setBusy(true);
    try {
      setResult(await invokeFunction(functionName, event));
    } catch (callError) {
      setResult(undefined);
      setError(asError(callError));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label="Test" className="stack">
      <h2>Test</h2>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          Test event (JSON)
          <textarea className="code-input" rows={6} value={event} spellCheck={false} onChange={(e) => setEvent(e.target.value)} />
        </label>
        <div className="row">
          <button type="submit" disabled={busy}>
            {busy ? 'Invoking…' : 'Invoke'}
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {result ? (
        <div className="card stack" role="region" aria-label="Result">
          <p role="status">
            Status {result.statusCode}
            {result.functionError ? (
              <>
                {' '}
                · <span className="error">function error: {result.functionError}</span>
              </>
            ) : (
              ' · succeeded'
            )}
          </p>
          <h3>Response</h3>
          <pre className="log" tabIndex={0} aria-label="Response">
            {result.payload}
          </pre>
          {result.logTail !== undefined ? (
            <>
              <h3>Log tail</h3>
              <pre className="log" tabIndex={0} aria-label="Log tail">
                {result.logTail}
              </pre>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

const WINDOWS = [
  { label: 'the last 15 minutes', ms: 15 * 60_000 },
  { label: 'the last hour', ms: 3_600_000 },
  { label: 'the last 24 hours', ms: 24 * 3_600_000 },
  { label: 'the last 7 days', ms: 7 * 24 * 3_600_000 },
];

const FOLLOW_MS = 2000;
const KEEP = 200;

/** `shown` with the events of `more` it does not have yet (by event id), oldest first, the newest KEEP of them. */
function withNewEvents(shown: readonly LogEvent[], more: readonly LogEvent[]): LogEvent[] {
  const seen = new Set(shown.map((e) => e.eventId));
  const fresh = more.filter((e) => !seen.has(e.eventId));
  if (fresh.length === 0) return shown as LogEvent[];
  return [...shown, ...fresh].sort((a, b) => a.timestamp - b.timestamp).slice(-KEEP);
}

/**
 * The function's recent log events (the newest 200 of the window), refreshed on demand, or followed while "Follow
 * new events" is on: every 2 s it asks for the events from the last one shown on (FilterLogEvents' startTime is
 * inclusive, so events of that same millisecond are asked again and dropped by id), until it is switched off or
 * the page is left.
 */
function Logs({ functionName }: { functionName: string }) {
  const [windowMs, setWindowMs] = useState(WINDOWS[1]!.ms);
  const [follow, setFollow] = useState(false);
  const logs = useCall(() => recentLogEvents(functionName, Date.now() - windowMs, KEEP), [functionName, windowMs]);
  const [events, setEvents] = useState<LogEvent[] | undefined>();
  const [followError, setFollowError] = useState<Error | undefined>();
  useEffect(() => setEvents(logs.data), [logs.data]);
  const latest = useRef(events);
  latest.current = events;
  useEffect(() => {
    if (!follow || logs.loading) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      const since = latest.current?.at(-1)?.timestamp ?? Date.now() - windowMs;
      try {
        const more = await recentLogEvents(functionName, since, KEEP);
        if (stopped) return;
        setFollowError(undefined);
        if (more) setEvents((shown) => withNewEvents(shown ?? [], more));
      } catch (error) {
        if (!stopped) setFollowError(asError(error));
      }
      if (!stopped) timer = setTimeout(() => void poll(), FOLLOW_MS);
    };
    timer = setTimeout(() => void poll(), FOLLOW_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [follow, logs.loading, functionName, windowMs]);
  const notYet = events === undefined && !logs.loading && !logs.error;
  return (
    <section aria-label="Logs" className="stack">
      <h2>Logs</h2>
      <div className="inline-form">
        <label>
          Events from
          <select value={windowMs} onChange={(e) => setWindowMs(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w.ms} value={w.ms}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={logs.loading} onClick={logs.reload}>
          Refresh logs
        </button>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow new events
        </label>
      </div>
      {notYet ? <p>The function has not logged anything yet: invoke it.</p> : null}
      <ErrorNote error={logs.error ?? followError} />
      {logs.loading && !events ? <Loading what="the logs" /> : null}
      {events && events.length === 0 ? <p>No log events in this time.</p> : null}
      {events && events.length > 0 ? (
        <ListTable label="Log events" columns={['Time', 'Message']}>
          {events.map((e) => (
            <tr key={e.eventId}>
              <td>
                <time dateTime={new Date(e.timestamp).toISOString()}>{new Date(e.timestamp).toLocaleString()}</time>
              </td>
              <td className="wrap log-message">{e.message}</td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </section>
  );
}
