import type { StackTemplateDiff } from '@forte/protocol';
import { control } from '../api.js';
import { Link } from '../link.js';
import { ErrorNote, Loading } from '../parts.js';
import { pathOf } from '../router.js';
import { useCall } from '../use-call.js';

/** A diff line's kind, for its colour: added (`[+]`, `+ `), removed (`[-]`, `- `) or anything else. */
function lineClass(line: string): string | undefined {
  const text = line.replace(/^[\s│├└─]+/, '');
  if (text.startsWith('[+]') || text.startsWith('+ ')) return 'diff-add';
  if (text.startsWith('[-]') || text.startsWith('- ')) return 'diff-del';
  if (text.startsWith('@@')) return 'diff-hunk';
  return undefined;
}

function StackDiff({ diff }: { diff: StackTemplateDiff }) {
  return (
    <section className="card diff-stack" aria-label={`Template of ${diff.nested ? 'nested stack' : 'root stack'} ${diff.stack}`}>
      <h3>
        {diff.nested ? 'Nested stack' : 'Root stack'} <code>{diff.stack}</code> <span className="muted">({diff.change})</span>
      </h3>
      {diff.sourceFile ? (
        <p className="muted">
          From <code>{diff.sourceFile}</code>
        </p>
      ) : null}
      {diff.resources.length > 0 ? (
        <ul className="diff-resources">
          {diff.resources.map((r) => (
            <li key={r.logicalId}>
              <code>{r.logicalId}</code> <span className="muted">{r.resourceType}</span> <strong className={`diff-${r.change}`}>{r.change}</strong>
              {r.change === 'changed' && r.properties.length > 0 ? (
                <span>
                  {': '}
                  {r.properties.map((p, i) => (
                    <span key={p.name}>
                      {i > 0 ? ', ' : ''}
                      <code>{p.name}</code> {p.change}
                    </span>
                  ))}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No resource changed (parameters or outputs did).</p>
      )}
      <details open>
        <summary>Template diff ({diff.lines.length} lines)</summary>
        <pre className="log diff" role="region" tabIndex={0} aria-label={`Template diff of ${diff.stack}`}>
          {diff.lines.map((line, i) => (
            <span key={i} className={lineClass(line)}>
              {line}
              {'\n'}
            </span>
          ))}
        </pre>
      </details>
    </section>
  );
}

/** What a deployment changed in the templates (DescribeTemplateDiff), stack by stack, against the deployment it replaced. */
export function TemplateDiffView({ appId, envName, deploymentId }: { appId: string; envName: string; deploymentId: string }) {
  const diff = useCall(() => control('DescribeTemplateDiff', { deploymentId }), [deploymentId]);
  const data = diff.data;
  return (
    <>
      <h2>Template changes</h2>
      <ErrorNote error={diff.error} />
      {!data && diff.loading ? <Loading what="the template diff" /> : null}
      {data ? (
        <p>
          {data.baseDeploymentId ? (
            <>
              Compared with the deployment that was running when it started (
              <Link to={pathOf({ page: 'deployment', appId, envName, deploymentId: data.baseDeploymentId })}>{data.baseDeploymentId}</Link>).
            </>
          ) : (
            'The environment had nothing deployed before it: every template is new.'
          )}
        </p>
      ) : null}
      {data && data.stacks.length === 0 ? <p>No template changed.</p> : null}
      {data?.stacks.map((s) => (
        <StackDiff key={s.stack} diff={s} />
      ))}
    </>
  );
}
