import { useEffect, useState } from 'react';
import { awsCall } from '../api.js';
import { showAttribute, type AttributeValue } from '../attribute-values.js';
import { ErrorNote, Loading, TableBox } from '../parts.js';

type Item = Record<string, AttributeValue>;
interface ScanAnswer {
  Items: Item[];
  LastEvaluatedKey?: Item;
}

const PAGE = 25;
const dynamodb = <T,>(operation: string, input: unknown): Promise<T> => awsCall<T>('dynamodb/', `DynamoDB_20120810.${operation}`, input, '1.0');

/** The items of one table (a @model's or a NoSQL table): DynamoDB's Scan, a page at a time, keys first. */
export function TablePage({ tableName }: { tableName: string }) {
  const [keys, setKeys] = useState<string[]>([]);
  const [items, setItems] = useState<Item[]>([]);
  const [next, setNext] = useState<Item>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();

  const load = async (start: Item | undefined): Promise<void> => {
    setLoading(true);
    try {
      const page = await dynamodb<ScanAnswer>('Scan', { TableName: tableName, Limit: PAGE, ...(start ? { ExclusiveStartKey: start } : {}) });
      setItems((seen) => [...(start ? seen : []), ...page.Items]);
      setNext(page.LastEvaluatedKey);
    } catch (failure) {
      setError(failure as Error);
    }
    setLoading(false);
  };
  useEffect(() => {
    setItems([]);
    setError(undefined);
    dynamodb<{ Table: { KeySchema: { AttributeName: string }[] } }>('DescribeTable', { TableName: tableName }).then(
      (answer) => setKeys(answer.Table.KeySchema.map((k) => k.AttributeName)),
      (failure: unknown) => setError(failure as Error),
    );
    void load(undefined);
  }, [tableName]);

  const others = [...new Set(items.flatMap((item) => Object.keys(item)))].filter((name) => !keys.includes(name)).sort();
  const columns = [...keys, ...others];
  return (
    <>
      <h1>Table {tableName}</h1>
      <ErrorNote error={error} />
      {loading && items.length === 0 ? <Loading what="items" /> : null}
      {!loading && !error && items.length === 0 ? <p>The table has no items.</p> : null}
      {items.length > 0 ? (
        <TableBox label="Items">
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                  {keys.includes(c) ? ' (key)' : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((item, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c} className="wrap">
                    {showAttribute(item[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </TableBox>
      ) : null}
      {next ? (
        <p>
          <button type="button" disabled={loading} onClick={() => void load(next)}>
            More items
          </button>
        </p>
      ) : null}
    </>
  );
}
