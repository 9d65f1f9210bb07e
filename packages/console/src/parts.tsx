import type { ReactNode } from 'react';

/** An error the cloud answered, shown where the page would be (an alert, so screen readers say it). */
export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A table that scrolls sideways on a narrow screen; focusable so the keyboard can scroll it too. */
export function TableBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-box" role="region" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </div>
  );
}

/**
 * A list as a table: a TableBox with a header row of `columns` and `children` (the rows) as its body; `live` makes
 * screen readers say rows added while it is shown.
 */
export function ListTable({ label, columns, live = false, children }: { label: string; columns: ReactNode[]; live?: boolean; children: ReactNode }) {
  return (
    <TableBox label={label}>
      <thead>
        <tr>
          {columns.map((column, i) => (
            <th scope="col" key={i}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody {...(live ? { 'aria-live': 'polite' as const } : {})}>{children}</tbody>
    </TableBox>
  );
}

/**
 * The buttons between pages of a list read a page at a time, and the page's status between them ("Reading page n…"
 * while it loads, else `shown`).
 */
export function Pager(props: {
  pageIndex: number;
  loading: boolean;
  shown: string;
  hasNext: boolean;
  onPrevious(): void;
  onNext(): void;
  previous?: string;
  next?: string;
}) {
  return (
    <nav className="row pager" aria-label="Pages">
      <button type="button" disabled={props.pageIndex === 0 || props.loading} onClick={props.onPrevious}>
        {props.previous ?? 'Previous'}
      </button>
      <span role="status">{props.loading ? `Reading page ${props.pageIndex + 1}…` : props.shown}</span>
      <button type="button" disabled={!props.hasNext || props.loading} onClick={props.onNext}>
        {props.next ?? 'Next'}
      </button>
    </nav>
  );
}

const STATUS_TONE: Record<string, string> = {
  DEPLOYED: 'good',
  SUCCEEDED: 'good',
  NEW: 'neutral',
  DEPLOYING: 'busy',
  IN_PROGRESS: 'busy',
  ROLLING_BACK: 'busy',
  DELETING: 'busy',
  DEPLOY_FAILED: 'bad',
  FAILED: 'bad',
  ROLLED_BACK: 'bad',
};

/** A resource's status (CREATE_COMPLETE, UPDATE_FAILED, DELETE_IN_PROGRESS…) by its ending. */
const toneOf = (value: string): string =>
  STATUS_TONE[value] ?? (value.endsWith('_COMPLETE') ? 'good' : value.endsWith('_FAILED') ? 'bad' : value.endsWith('_IN_PROGRESS') ? 'busy' : 'neutral');

export function Status({ value }: { value: string }) {
  return <span className={`status status-${toneOf(value)}`}>{value}</span>;
}

/** A time as the reader's clock shows it, with the exact instant in the markup. */
export function When({ iso }: { iso: string | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;
}
