import { control } from '../api.js';
import { listFunctions } from '../lambda-api.js';
import { Link } from '../link.js';
import { ErrorNote, Loading, ListTable } from '../parts.js';
import { pathOf } from '../router.js';
import { useCall } from '../use-call.js';

/** Functions: every function of the cloud (ListFunctions), this environment's first. */
export function FunctionsPage({ appId, envName }: { appId: string; envName: string }) {
  const functions = useCall(() => listFunctions(), []);
  const stack = useCall(() => control('DescribeStack', { appId, envName }), [appId, envName]);
  const ours = new Set((stack.data?.resources ?? []).filter((r) => r.resourceType.endsWith('::Lambda::Function')).map((r) => r.physicalId));
  // The list shows once the environment's stack has answered too (or failed), so it does not reorder under the reader.
  const oursKnown = !stack.loading;
  const sorted = oursKnown
    ? [...(functions.data ?? [])].sort(
        (a, b) => Number(ours.has(b.FunctionName)) - Number(ours.has(a.FunctionName)) || a.FunctionName.localeCompare(b.FunctionName),
      )
    : [];
  return (
    <>
      <h1>Functions</h1>
      <p className="muted">The console acts as the cloud&apos;s admin: it can read any function&apos;s configuration and logs and invoke it.</p>
      <ErrorNote error={functions.error} />
      {(functions.loading && !functions.data) || (functions.data && functions.data.length > 0 && !oursKnown) ? <Loading what="the functions" /> : null}
      {functions.data && functions.data.length === 0 ? (
        <p>
          The cloud has no functions: <code>forte add function</code> and <code>forte push</code> make one.
        </p>
      ) : null}
      {sorted.length > 0 ? (
        <ListTable label="Functions" columns={['Function', `Environment ${envName}`, 'Runtime', 'Memory', 'Timeout']}>
          {sorted.map((f) => (
            <tr key={f.FunctionName}>
              <td>
                <Link to={pathOf({ page: 'function', appId, envName, functionName: f.FunctionName })}>{f.FunctionName}</Link>
              </td>
              <td>{ours.has(f.FunctionName) ? 'in this environment' : <span className="muted">—</span>}</td>
              <td>{f.Runtime ?? '—'}</td>
              <td>{f.MemorySize ?? '—'} MB</td>
              <td>{f.Timeout ?? '—'} s</td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </>
  );
}
