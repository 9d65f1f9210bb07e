import { useEffect, useState, type FormEvent } from 'react';
import type { ControlOperations, RequestLogEntry } from '@forte/protocol';
import { control } from '../api.js';
import { ErrorNote, ListTable, Loading, Pager, When } from '../parts.js';
import { useCall } from '../use-call.js';

type Filters = Omit<ControlOperations['ListRequestLog']['input'], 'nextToken' | 'limit'>;

/** How often the newest page is read again while auto-refresh is on. */
const REFRESH_MS = 5000;
const PAGE_SIZE = 50;
const PRINCIPALS = ['admin', 'role', 'user-pool', 'oidc', 'api-key', 'lambda-authorizer', 'anonymous'];
const SERVICES = ['appsync', 'cognito-idp', 'cognito-identity', 'control', 'dynamodb', 'hosting-api', 'lambda', 'logs', 's3', 'ssm', 'apigateway', 'console'];

/** A `datetime-local` value (the reader's clock) as an ISO time, or undefined when empty. */
const isoOf = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

/** The form's fields as the control API's filters: empty fields filter nothing. */
function filtersOf(form: FormData): Filters {
  const text = (name: string): string | undefined => {
    const value = String(form.get(name) ?? '').trim();
    return value === '' ? undefined : value;
  };
  const filters: Filters = {};
  const status = text('status')?.toLowerCase();
  if (status) filters.status = status;
  const service = text('service');
  if (service) filters.service = service;
  const principal = text('principal');
  if (principal) filters.principal = principal;
  const accessKeyId = text('accessKeyId');
  if (accessKeyId) filters.accessKeyId = accessKeyId;
  const user = text('user');
  if (user) filters.user = user;
  const from = isoOf(text('from') ?? '');
  if (from) filters.from = from;
  const to = isoOf(text('to') ?? '');
  if (to) filters.to = to;
  return filters;
}

const STATUS_TONE = (status: number): string => (status >= 500 ? 'bad' : status >= 400 ? 'busy' : 'good');

/** Logs: the cloud's request log (`ListRequestLog`), newest first, filtered and paged, optionally refreshed. */
export function LogsPage() {
  const [filters, setFilters] = useState<Filters>({});
  const [problem, setProblem] = useState<string | undefined>();
  // The tokens of the pages shown so far: index 0 is the newest page (no token).
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [pageIndex, setPageIndex] = useState(0);
  const [autoRefresh, setAutoRefresh] = useState(false);
  const [tick, setTick] = useState(0);
  const token = tokens[pageIndex];
  const page = useCall(
    () => control('ListRequestLog', { ...filters, limit: PAGE_SIZE, ...(token ? { nextToken: token } : {}) }),
    [JSON.stringify(filters), token, tick],
  );
  // Only the newest page is refreshed: an older page stays where the reader is.
  useEffect(() => {
    if (!autoRefresh || pageIndex !== 0) return;
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, [autoRefresh, pageIndex]);

  const apply = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const status = String(form.get('status') ?? '').trim();
    if (status !== '' && !/^(?:[1-5][0-9][0-9]|[1-5]xx)$/i.test(status)) {
      setProblem('Status is a code like 404 or a class like 4xx.');
      return;
    }
    setProblem(undefined);
    setFilters(filtersOf(form));
    setTokens([undefined]);
    setPageIndex(0);
  };
  const requests: RequestLogEntry[] = page.data?.requests ?? [];

  return (
    <>
      <h1>Request log</h1>
      <p className="muted">
        Every request the cloud answered, newest first, for as long as config.json&apos;s <code>requestLog</code> keeps them. Paths are kept without their query
        strings; headers, bodies and secrets are never kept.
      </p>
      <form className="inline-form card logs-filters" aria-label="Filters" onSubmit={apply}>
        <label>
          Status
          <input name="status" list="log-statuses" placeholder="4xx or 404" defaultValue={filters.status ?? ''} className="short" />
        </label>
        <datalist id="log-statuses">
          <option value="2xx" />
          <option value="3xx" />
          <option value="4xx" />
          <option value="5xx" />
        </datalist>
        <label>
          Service
          <input name="service" list="log-services" placeholder="any" defaultValue={filters.service ?? ''} className="short" />
        </label>
        <datalist id="log-services">
          {SERVICES.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <label>
          Caller
          <select name="principal" defaultValue={filters.principal ?? ''}>
            <option value="">any</option>
            {PRINCIPALS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Access key
          <input name="accessKeyId" defaultValue={filters.accessKeyId ?? ''} className="short" autoComplete="off" spellCheck={false} />
        </label>
        <label>
          User
          <input name="user" defaultValue={filters.user ?? ''} className="short" autoComplete="off" spellCheck={false} />
        </label>
        <label>
          From
          <input name="from" type="datetime-local" step="1" className="short" />
        </label>
        <label>
          To
          <input name="to" type="datetime-local" step="1" className="short" />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
      <div className="row spread">
        <label className="check">
          <input type="checkbox" checked={autoRefresh} onChange={(event) => setAutoRefresh(event.currentTarget.checked)} /> Refresh every {REFRESH_MS / 1000} s
        </label>
        <button type="button" className="quiet" onClick={page.reload} disabled={page.loading}>
          Refresh now
        </button>
      </div>
      <ErrorNote error={page.error} />
      {page.loading && !page.data ? <Loading what="the request log" /> : null}
      {page.data ? (
        <>
          <ListTable label="Requests" columns={['Time', 'Status', 'Method', 'Path', 'Service', 'Caller', 'Client', 'ms', 'Request id']}>
            {requests.length === 0 ? (
              <tr>
                <td colSpan={9}>No requests match.</td>
              </tr>
            ) : null}
            {requests.map((r) => (
              <tr key={r.requestId} className="log-row">
                <td>
                  <When iso={r.at} />
                </td>
                <td>
                  <span className={`status status-${STATUS_TONE(r.status)}`}>{r.status}</span>
                </td>
                <td>{r.method}</td>
                <td className="long-name">
                  <code>{r.path}</code>
                </td>
                <td>{r.service ?? <span className="muted">none</span>}</td>
                <td>
                  {r.principal}
                  {r.user ? <> · {r.user}</> : null}
                  {r.accessKeyId ? <span className="muted"> · {r.accessKeyId}</span> : null}
                </td>
                <td>{r.client}</td>
                <td>{r.ms}</td>
                <td>
                  <code>{r.requestId}</code>
                </td>
              </tr>
            ))}
          </ListTable>
          <Pager
            pageIndex={pageIndex}
            loading={page.loading}
            shown={`Page ${pageIndex + 1} · ${requests.length} requests`}
            hasNext={Boolean(page.data.nextToken)}
            onPrevious={() => setPageIndex(pageIndex - 1)}
            onNext={() => {
              setTokens([...tokens.slice(0, pageIndex + 1), page.data!.nextToken]);
              setPageIndex(pageIndex + 1);
            }}
            previous="Newer"
            next="Older"
          />
        </>
      ) : null}
    </>
  );
}
