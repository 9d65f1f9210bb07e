import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorNote, Loading, Pager, TableBox } from '../parts.js';
import { useCall } from '../use-call.js';
import { cellOf, dynamodb, keyNamesOf, keyOf, valueOfText, type Item, type TableDescription } from './data-values.js';
import { ItemEditor } from './item-editor.js';

const PAGE_SIZE = 25;
/** The most items a filtered page reads looking for its matches. */
const FILTER_READ_CAP = 2000;

const OPERATORS = [
  { op: '=', label: '=' },
  { op: '<>', label: '≠' },
  { op: '<', label: '<' },
  { op: '<=', label: '≤' },
  { op: '>', label: '>' },
  { op: '>=', label: '≥' },
  { op: 'begins_with', label: 'begins with' },
  { op: 'contains', label: 'contains' },
  { op: 'attribute_exists', label: 'exists' },
  { op: 'attribute_not_exists', label: 'does not exist' },
] as const;
type Operator = (typeof OPERATORS)[number]['op'];

interface Filter {
  name: string;
  op: Operator;
  type: 'S' | 'N' | 'BOOL';
  value: string;
}
/** How pages are read: a Scan of the table or an index, or a Query of one by its partition key. */
interface Reader {
  index: string;
  query: boolean;
  keyValue: string;
  forward: boolean;
}
interface Applied {
  reader: Reader;
  filter: Filter | undefined;
}

const SCAN: Reader = { index: '', query: false, keyValue: '', forward: true };

/** The Scan or Query input of the reader and filter (names and values always as placeholders), without paging. */
export function readRequestOf(table: TableDescription, { reader, filter }: Applied): Record<string, unknown> {
  const names: Record<string, string> = {};
  const values: Item = {};
  const input: Record<string, unknown> = { TableName: table.TableName };
  if (reader.index) input['IndexName'] = reader.index;
  if (reader.query) {
    const schema = schemaOf(table, reader.index);
    const hash = keyNamesOf(schema)[0]!;
    const type = table.AttributeDefinitions.find((d) => d.AttributeName === hash)?.AttributeType ?? 'S';
    names['#k'] = hash;
    values[':k'] = valueOfText(type === 'B' ? 'B' : type, reader.keyValue, hash);
    input['KeyConditionExpression'] = '#k = :k';
    input['ScanIndexForward'] = reader.forward;
  }
  if (filter) {
    names['#f'] = filter.name;
    if (filter.op === 'attribute_exists' || filter.op === 'attribute_not_exists') input['FilterExpression'] = `${filter.op}(#f)`;
    else {
      values[':f'] = valueOfText(filter.type, filter.value, filter.name);
      input['FilterExpression'] = filter.op === 'begins_with' || filter.op === 'contains' ? `${filter.op}(#f, :f)` : `#f ${filter.op} :f`;
    }
  }
  if (Object.keys(names).length > 0) input['ExpressionAttributeNames'] = names;
  if (Object.keys(values).length > 0) input['ExpressionAttributeValues'] = values;
  return input;
}

function schemaOf(table: TableDescription, index: string) {
  if (!index) return table.KeySchema;
  return [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].find((i) => i.IndexName === index)?.KeySchema ?? table.KeySchema;
}

interface Page {
  Items: Item[];
  LastEvaluatedKey?: Item;
  ScannedCount?: number;
}

/**
 * One table: a page at a time (one Scan or Query with Limit and the previous page's LastEvaluatedKey; the start keys
 * of the pages seen are kept for "Previous"), a filter, a Query by an index's key in either order, a count on demand,
 * and item writes straight to the table as the admin.
 */
export function TablePage({ tableName }: { appId: string; envName: string; tableName: string }) {
  const described = useCall(() => dynamodb<{ Table: TableDescription }>('DescribeTable', { TableName: tableName }), [tableName]);
  const table = described.data?.Table;
  return (
    <>
      <h1 className="long-name">Table {tableName}</h1>
      <ErrorNote error={described.error} />
      {described.loading && !table ? <Loading what="the table" /> : null}
      {table ? <TableView key={tableName} table={table} onWrite={described.reload} /> : null}
    </>
  );
}

function TableView({ table, onWrite }: { table: TableDescription; onWrite: () => void }) {
  const keyNames = keyNamesOf(table.KeySchema);
  const [applied, setApplied] = useState<Applied>({ reader: SCAN, filter: undefined });
  const [pageKeys, setPageKeys] = useState<(Item | undefined)[]>([undefined]);
  const [pageIndex, setPageIndex] = useState(0);
  const [editing, setEditing] = useState<{ item: Item | undefined } | undefined>();
  const [deleting, setDeleting] = useState<Item | undefined>();
  const [notice, setNotice] = useState<string>();
  const startKey = pageKeys[pageIndex];
  const page = useCall(async (): Promise<Page & { ms: number }> => {
    const started = performance.now();
    const request = readRequestOf(table, applied);
    const operation = applied.reader.query ? 'Query' : 'Scan';
    // Without a filter a page is one call. With one, Limit counts the items read before the filter (as in
    // DynamoDB): the page reads on, asking each time for no more than the matches it still lacks, until it has
    // a page of them, the table ends or it has read FILTER_READ_CAP items; the next page starts where it stopped.
    const found: Page = { Items: [], ScannedCount: 0 };
    let start = startKey;
    do {
      const answer = await dynamodb<Page>(operation, { ...request, Limit: PAGE_SIZE - found.Items.length, ...(start ? { ExclusiveStartKey: start } : {}) });
      found.Items.push(...answer.Items);
      found.ScannedCount! += answer.ScannedCount ?? answer.Items.length;
      start = answer.LastEvaluatedKey;
    } while (applied.filter && start && found.Items.length < PAGE_SIZE && found.ScannedCount! < FILTER_READ_CAP);
    return { ...found, ...(start ? { LastEvaluatedKey: start } : {}), ms: performance.now() - started };
  }, [table.TableName, JSON.stringify(applied), pageIndex, JSON.stringify(startKey)]);

  const apply = (next: Applied): void => {
    setApplied(next);
    setPageKeys([undefined]);
    setPageIndex(0);
  };
  const written = (what: string): void => {
    setNotice(what);
    page.reload();
    onWrite();
  };

  const items = page.data?.Items ?? [];
  const others = [...new Set(items.flatMap((item) => Object.keys(item)))].filter((n) => !keyNames.includes(n)).sort();
  const columns = [...keyNames, ...others];
  const keyText = (item: Item): string => keyNames.map((n) => cellOf(item[n])).join(' / ');
  const stream = table.StreamSpecification?.StreamEnabled ? table.StreamSpecification.StreamViewType : undefined;

  return (
    <>
      <p className="card notice">
        The console acts as the admin: reads and writes go straight to the table, so no @auth rule or resolver applies and no GraphQL subscription fires.{' '}
        {stream
          ? `The table's stream (${stream}) records every write, so functions triggered by the stream do run.`
          : 'The table has no stream: nothing else learns of a write.'}
      </p>
      <p>
        Key: {table.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'})`).join(', ')} · items: {table.ItemCount ?? '—'}
      </p>
      <Counter table={table} applied={applied} />
      <ReaderForm table={table} applied={applied} onApply={apply} />
      {notice ? (
        <p role="status" className="muted">
          {notice}
        </p>
      ) : null}
      {editing ? (
        <ItemEditor
          table={table}
          item={editing.item}
          onDone={(saved) => {
            setEditing(undefined);
            if (saved) written(editing.item ? 'Item saved.' : 'Item created.');
          }}
        />
      ) : (
        <div className="row">
          <button type="button" onClick={() => setEditing({ item: undefined })}>
            New item
          </button>
        </div>
      )}
      {deleting ? (
        <DeleteItem
          table={table}
          keyNames={keyNames}
          item={deleting}
          label={keyText(deleting)}
          onDone={(deleted) => {
            setDeleting(undefined);
            if (deleted) written('Item deleted.');
          }}
        />
      ) : null}
      <ErrorNote error={page.error} />
      {page.loading && !page.data ? <Loading what="items" /> : null}
      {page.data ? (
        <>
          <TableBox label="Items">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                    {keyNames.includes(c) ? <span className="muted"> (key)</span> : null}
                  </th>
                ))}
                <th scope="col" className="actions-cell">
                  Actions
                </th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 ? (
                <tr>
                  <td colSpan={columns.length + 1}>No items on this page.</td>
                </tr>
              ) : null}
              {items.map((item) => (
                <tr key={JSON.stringify(keyOf(item, keyNames))}>
                  {columns.map((c) => (
                    <td key={c} className="cell">
                      {cellOf(item[c])}
                    </td>
                  ))}
                  <td className="actions-cell">
                    <div className="row actions">
                      <button type="button" className="quiet" aria-label={`Edit item ${keyText(item)}`} onClick={() => setEditing({ item })}>
                        Edit
                      </button>
                      <button type="button" className="quiet" aria-label={`Delete item ${keyText(item)}`} onClick={() => setDeleting(item)}>
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </TableBox>
          <Pager
            pageIndex={pageIndex}
            loading={page.loading}
            shown={`Page ${pageIndex + 1} · ${items.length} items${page.data.ScannedCount !== undefined && page.data.ScannedCount !== items.length ? ` of ${page.data.ScannedCount} read` : ''}`}
            hasNext={Boolean(page.data.LastEvaluatedKey)}
            onPrevious={() => setPageIndex(pageIndex - 1)}
            onNext={() => {
              setPageKeys([...pageKeys.slice(0, pageIndex + 1), page.data!.LastEvaluatedKey]);
              setPageIndex(pageIndex + 1);
            }}
          />
          <p className="muted">
            A page shows up to {PAGE_SIZE} items; a filtered one reads on until it has found them or read {FILTER_READ_CAP} items. This one took{' '}
            <span data-page-ms={Math.round(page.data.ms)}>{Math.round(page.data.ms)} ms</span>.
          </p>
        </>
      ) : null}
    </>
  );
}

/** The reader (Scan, or Query of the table or an index by key in either order) and the filter, applied together. */
function ReaderForm({ table, applied, onApply }: { table: TableDescription; applied: Applied; onApply: (next: Applied) => void }) {
  const [reader, setReader] = useState<Reader>(applied.reader);
  const [filter, setFilter] = useState<Filter>(applied.filter ?? { name: '', op: '=', type: 'S', value: '' });
  const [error, setError] = useState<Error>();
  const indexes = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])];
  const schema = schemaOf(table, reader.index);
  const [hash, range] = keyNamesOf(schema);
  const needsValue = filter.op !== 'attribute_exists' && filter.op !== 'attribute_not_exists';

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const next: Applied = { reader, filter: filter.name.trim() ? { ...filter, name: filter.name.trim() } : undefined };
    try {
      if (reader.query && reader.keyValue === '') throw new Error(`A Query needs a value of ${hash}.`);
      readRequestOf(table, next);
      setError(undefined);
      onApply(next);
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <form className="card stack" aria-label="Read and filter" onSubmit={submit}>
      <div className="inline-form">
        <label>
          <span>Read from</span>
          <select value={reader.index} onChange={(e) => setReader({ ...reader, index: e.target.value })}>
            <option value="">the table</option>
            {indexes.map((i) => (
              <option key={i.IndexName} value={i.IndexName}>
                index {i.IndexName}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>How</span>
          <select value={reader.query ? 'query' : 'scan'} onChange={(e) => setReader({ ...reader, query: e.target.value === 'query' })}>
            <option value="scan">Scan (every item)</option>
            <option value="query">Query by {hash}</option>
          </select>
        </label>
        {reader.query ? (
          <>
            <label>
              <span>{hash} =</span>
              <input value={reader.keyValue} onChange={(e) => setReader({ ...reader, keyValue: e.target.value })} spellCheck={false} />
            </label>
            {range ? (
              <label className="check">
                <input type="checkbox" checked={!reader.forward} onChange={(e) => setReader({ ...reader, forward: !e.target.checked })} />
                <span>Descending by {range}</span>
              </label>
            ) : null}
          </>
        ) : null}
      </div>
      <fieldset className="inline-form filter">
        <legend>Filter</legend>
        <label>
          <span>Attribute</span>
          <input value={filter.name} onChange={(e) => setFilter({ ...filter, name: e.target.value })} spellCheck={false} />
        </label>
        <label>
          <span>Operator</span>
          <select value={filter.op} onChange={(e) => setFilter({ ...filter, op: e.target.value as Operator })}>
            {OPERATORS.map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {needsValue ? (
          <>
            <label>
              <span>Value type</span>
              <select value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.target.value as Filter['type'] })}>
                <option value="S">String</option>
                <option value="N">Number</option>
                <option value="BOOL">Boolean (true/false)</option>
              </select>
            </label>
            <label>
              <span>Value</span>
              <input value={filter.value} onChange={(e) => setFilter({ ...filter, value: e.target.value })} spellCheck={false} />
            </label>
          </>
        ) : null}
      </fieldset>
      <div className="row">
        <button type="submit">Apply</button>
        <button
          type="button"
          className="quiet"
          onClick={() => {
            setReader(SCAN);
            setFilter({ name: '', op: '=', type: 'S', value: '' });
            setError(undefined);
            onApply({ reader: SCAN, filter: undefined });
          }}
        >
          Clear
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

/** Counts what the reader and filter match: Scan or Query with Select=COUNT, page after page, shown as it goes. */
function Counter({ table, applied }: { table: TableDescription; applied: Applied }) {
  const [state, setState] = useState<{ count: number; done: boolean; error?: Error } | undefined>();
  const run = useRef(0);
  useEffect(() => {
    run.current++;
    setState(undefined);
  }, [table.TableName, JSON.stringify(applied)]);
  const count = async (): Promise<void> => {
    const mine = ++run.current;
    let total = 0;
    let start: Item | undefined;
    setState({ count: 0, done: false });
    try {
      do {
        const input = { ...readRequestOf(table, applied), Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) };
        const answer = await dynamodb<{ Count: number; LastEvaluatedKey?: Item }>(applied.reader.query ? 'Query' : 'Scan', input);
        if (run.current !== mine) return;
        total += answer.Count;
        start = answer.LastEvaluatedKey;
        setState({ count: total, done: !start });
      } while (start);
    } catch (error) {
      if (run.current === mine) setState({ count: total, done: true, error: error as Error });
    }
  };
  return (
    <div className="row counter">
      <button type="button" className="quiet" onClick={() => void count()} disabled={state !== undefined && !state.done}>
        Count matching items
      </button>
      {state ? <span role="status">{state.done && !state.error ? `${state.count} matching items` : `${state.count} counted so far…`}</span> : null}
      <ErrorNote error={state?.error} />
    </div>
  );
}

function DeleteItem({
  table,
  keyNames,
  item,
  label,
  onDone,
}: {
  table: TableDescription;
  keyNames: string[];
  item: Item;
  label: string;
  onDone: (deleted: boolean) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await dynamodb('DeleteItem', {
        TableName: table.TableName,
        Key: keyOf(item, keyNames),
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: { '#key': keyNames[0] },
      });
      onDone(true);
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
    }
  };
  return (
    <section className="card danger-zone" aria-labelledby="delete-item-heading">
      <h2 id="delete-item-heading" ref={heading} tabIndex={-1}>
        Delete item {label}
      </h2>
      <p>The item is deleted from the table at once; nothing keeps a copy.</p>
      <div className="row">
        <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
          {busy ? 'Deleting…' : 'Delete item'}
        </button>
        <button type="button" onClick={() => onDone(false)} disabled={busy}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} />
    </section>
  );
}
