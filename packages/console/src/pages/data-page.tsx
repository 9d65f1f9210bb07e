import { control } from '../api.js';
import { Link } from '../link.js';
import { ErrorNote, Loading, ListTable } from '../parts.js';
import { pathOf } from '../router.js';
import { useCall } from '../use-call.js';
import { dynamodb, type TableDescription } from './data-values.js';

interface TableRow {
  logicalId: string;
  tableName: string;
  kind: string;
  table: TableDescription | undefined;
  error: string | undefined;
}

/** The environment's tables (the GraphQL API's model tables and the storage category's NoSQL tables), from its stack. */
export function DataPage({ appId, envName }: { appId: string; envName: string }) {
  const tables = useCall(async (): Promise<TableRow[]> => {
    const stack = await control('DescribeStack', { appId, envName });
    const resources = stack.resources.filter((r) => r.resourceType.endsWith('::DynamoDB::Table') && r.physicalId);
    return Promise.all(
      resources.map(async (r): Promise<TableRow> => {
        const kind = r.resourceType.startsWith('Forte::') ? 'model' : 'NoSQL table';
        try {
          const { Table } = await dynamodb<{ Table: TableDescription }>('DescribeTable', { TableName: r.physicalId });
          return { logicalId: r.logicalId, tableName: r.physicalId, kind, table: Table, error: undefined };
        } catch (error) {
          return { logicalId: r.logicalId, tableName: r.physicalId, kind, table: undefined, error: (error as Error).message };
        }
      }),
    );
  }, [appId, envName]);

  return (
    <>
      <h1>Data of {envName}</h1>
      <p>The tables behind the environment&apos;s @model types and NoSQL tables. The console reads and writes them as the admin.</p>
      <ErrorNote error={tables.error} />
      {tables.loading && !tables.data ? <Loading what="the tables" /> : null}
      {tables.data && tables.data.length === 0 ? (
        <p>
          The environment has no tables: add a GraphQL API (<code>forte add api</code>) or NoSQL storage (<code>forte add storage</code>) and push.
        </p>
      ) : null}
      {tables.data && tables.data.length > 0 ? (
        <ListTable label="Tables" columns={['Table', 'Resource', 'Kind', 'Key', 'Items']}>
          {tables.data.map((t) => (
            <tr key={t.tableName}>
              <td className="wrap">
                <Link to={pathOf({ page: 'table', appId, envName, tableName: t.tableName })}>{t.tableName}</Link>
              </td>
              <td>
                <code>{t.logicalId}</code>
              </td>
              <td>{t.kind}</td>
              <td>{t.table ? t.table.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'})`).join(', ') : null}</td>
              <td>{t.table ? (t.table.ItemCount ?? '—') : <span className="error">{t.error}</span>}</td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </>
  );
}
