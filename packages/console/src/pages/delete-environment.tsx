import { useEffect, useRef, useState, type FormEvent } from 'react';
import { control } from '../api.js';
import { ErrorNote, Loading } from '../parts.js';
import { useCall } from '../use-call.js';

/**
 * Deleting an environment deletes its resources and what they hold: the panel says how much each holds
 * (DescribeStoredData) and asks for the environment's name to be typed, as `forte env remove` asks to confirm.
 */
export function DeleteEnvironment({ appId, envName, onClose }: { appId: string; envName: string; onClose: (deleted: boolean) => void }) {
  const stored = useCall(() => control('DescribeStoredData', { appId, envName }), [appId, envName]);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const confirm = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { deployment } = await control('DeleteEnvironment', { appId, envName });
      if (deployment.status !== 'SUCCEEDED') throw new Error(`Deleting ${envName} failed: ${deployment.error ?? deployment.status}`);
      onClose(true);
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
    }
  };
  const resources = stored.data?.resources ?? [];
  return (
    <section className="card danger-zone" aria-labelledby="delete-env-heading">
      <h2 id="delete-env-heading" ref={heading} tabIndex={-1}>
        Delete environment {envName}
      </h2>
      <ErrorNote error={stored.error} />
      {stored.loading ? <Loading what="what the environment holds" /> : null}
      {stored.data && resources.length === 0 ? <p>Its resources hold no data: only the resources themselves are deleted.</p> : null}
      {resources.length > 0 ? (
        <>
          <p>
            <strong>This deletes data.</strong> These resources hold:
          </p>
          <ul className="data-loss">
            {resources.map((r) => (
              <li key={r.logicalId}>
                <code>{r.logicalId}</code> ({r.resourceType}): {r.count} {r.kind}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <form onSubmit={confirm} className="stack">
        <label>
          <span>
            Type <code>{envName}</code> to confirm
          </span>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        </label>
        <div className="row">
          <button type="submit" className="danger" disabled={busy || typed !== envName || !stored.data}>
            {busy ? 'Deleting…' : `Delete ${envName}`}
          </button>
          <button type="button" onClick={() => onClose(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
