import { useEffect, useRef, useState } from 'react';
import type { ListedDeployment } from '@forte/protocol';
import { control } from '../api.js';
import { forgottenNumbers, hosting } from '../hosting-api.js';
import { ErrorNote, Loading, TableBox, When } from '../parts.js';
import { useCall } from '../use-call.js';

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

const byteFormat = (unit: 'kilobyte' | 'megabyte' | 'gigabyte'): Intl.NumberFormat =>
  new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 });

/** A deploy's size as people read it: bytes below 1 KB, else KB, MB or GB (powers of 1024). */
function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 ** 2) return byteFormat('kilobyte').format(bytes / 1024);
  if (bytes < 1024 ** 3) return byteFormat('megabyte').format(bytes / 1024 ** 2);
  return byteFormat('gigabyte').format(bytes / 1024 ** 3);
}

const filesOf = (n: number): string => `${n} ${n === 1 ? 'file' : 'files'}`;

/** Which deploys collection deleted: `Deploy #3 was …`, `Deploys #1–#4, #6 were …`. */
function forgottenText(ranges: [number, number][]): string {
  const one = ranges.length === 1 && ranges[0]![0] === ranges[0]![1];
  const names = ranges.map(([a, b]) => (a === b ? `#${a}` : `#${a}–#${b}`)).join(', ');
  return one ? `Deploy ${names} was deleted that way and cannot be restored.` : `Deploys ${names} were deleted that way and cannot be restored.`;
}

/** Hosting: the environment's sites (its stack's `Forte::Hosting::Site` resources), each with its deploys. */
export function HostingPage({ appId, envName }: { appId: string; envName: string }) {
  const stack = useCall(() => control('DescribeStack', { appId, envName }), [appId, envName]);
  const sites = (stack.data?.resources ?? []).filter((r) => r.resourceType === 'Forte::Hosting::Site' && r.physicalId);
  return (
    <>
      <h1>Hosting</h1>
      <ErrorNote error={stack.error} />
      {stack.loading && !stack.data ? <Loading what="the environment's sites" /> : null}
      {stack.data && sites.length === 0 ? (
        <p>
          This environment has no hosting site: <code>forte add hosting</code> and <code>forte publish</code> make one.
        </p>
      ) : null}
      {sites.map((s) => (
        <SiteDeploys key={s.physicalId} siteId={s.physicalId} name={typeof s.attributes['HostName'] === 'string' ? s.attributes['HostName'] : s.logicalId} />
      ))}
    </>
  );
}

/** One site: its address, its deploys (ListDeployments) and a rollback to any deploy whose files are still stored. */
function SiteDeploys({ siteId, name }: { siteId: string; name: string }) {
  const site = useCall(() => hosting('GetSite', { siteId }), [siteId]);
  const listing = useCall(() => hosting('ListDeployments', { siteId }), [siteId]);
  const [chosen, setChosen] = useState<ListedDeployment | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const deployments = listing.data?.deployments ?? [];
  const live = deployments.find((d) => d.status === 'ACTIVE');
  const forgotten = forgottenNumbers(deployments.map((d) => d.number));
  const url = site.data?.site.url;

  const makeLive = async (deployment: ListedDeployment): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await hosting('StartDeployment', { siteId, deploymentId: deployment.deploymentId });
      setDone(`Deploy #${deployment.number} is live${deployment.status === 'SUPERSEDED' ? ' again' : ''}.`);
      setChosen(undefined);
      site.reload();
      listing.reload();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-label={`Site ${name}`}>
      <h2>Site {name}</h2>
      <ErrorNote error={site.error ?? listing.error} />
      {url ? (
        <p className="breaks">
          Served at <a href={url}>{url}</a>
          {live ? ` · deploy #${live.number} is live` : ' · nothing is published yet: run forte publish'}
        </p>
      ) : null}
      {listing.loading && !listing.data ? <Loading what="the deploys" /> : null}
      {listing.data ? (
        <p className="muted">
          The cloud keeps a site&apos;s newest {listing.data.keptDeployments} deploys and the live one: whenever a deploy goes live, older ones are deleted with
          their files and can no longer be restored.
          {forgotten.length > 0 ? ` ${forgottenText(forgotten)}` : ''}
        </p>
      ) : null}
      {done ? <p role="status">{done}</p> : null}
      {listing.data && deployments.length === 0 ? <p>No deploys yet.</p> : null}
      {deployments.length > 0 ? (
        <TableBox label={`Deploys of ${name}`}>
          <thead>
            <tr>
              <th scope="col">Deploy</th>
              <th scope="col">State</th>
              <th scope="col">Rollback</th>
              <th scope="col">Published</th>
              <th scope="col">Last went live</th>
              <th scope="col">Files</th>
              <th scope="col">Size</th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((d) => (
              <tr key={d.deploymentId}>
                <td>
                  #{d.number} <code className="muted deploy-id">{d.deploymentId}</code>
                </td>
                <td>
                  <DeployState deployment={d} />
                </td>
                <td className="wrap">
                  {d.status === 'ACTIVE' ? (
                    <span className="muted">live now</span>
                  ) : d.restorable ? (
                    <button type="button" className="quiet" disabled={busy} onClick={() => setChosen(d)}>
                      {actionLabel(d, live, false)}
                    </button>
                  ) : (
                    <span>Cannot be restored: not all its files are stored{d.status === 'PENDING' ? ' (an unfinished publish)' : ''}</span>
                  )}
                </td>
                <td>
                  <When iso={d.createdAt} />
                </td>
                <td>
                  <When iso={d.activatedAt} />
                </td>
                <td>{d.fileCount}</td>
                <td>{sizeOf(d.totalBytes)}</td>
              </tr>
            ))}
          </tbody>
        </TableBox>
      ) : null}
      <ErrorNote error={error} />
      {chosen ? (
        <ConfirmRollback deployment={chosen} live={live} url={url} busy={busy} onConfirm={() => void makeLive(chosen)} onCancel={() => setChosen(undefined)} />
      ) : null}
    </section>
  );
}

/** A deploy older than the live one is rolled back to; a newer one (after a rollback, or never live) is made live. */
function actionLabel(d: ListedDeployment, live: ListedDeployment | undefined, confirming: boolean): string {
  const newer = live === undefined || d.number > live.number;
  if (confirming) return newer ? `Yes, make #${d.number} live` : `Yes, roll back to #${d.number}`;
  return newer ? `Make #${d.number} live` : `Roll back to #${d.number}`;
}

function DeployState({ deployment }: { deployment: ListedDeployment }) {
  if (deployment.status === 'ACTIVE') return <span className="status status-good">live</span>;
  if (deployment.status === 'SUPERSEDED') return <span className="status status-neutral">earlier</span>;
  return <span className="status status-neutral">never live</span>;
}

/** Names the deploy before it goes live; focused when it shows, so keyboard and screen reader users land on it. */
function ConfirmRollback(props: {
  deployment: ListedDeployment;
  live: ListedDeployment | undefined;
  url: string | undefined;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { deployment: d, live, url, busy } = props;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), [d.deploymentId]);
  return (
    <div className="card danger-zone stack" role="group" aria-label="Confirm rollback" tabIndex={-1} ref={box}>
      <p className="data-loss breaks">
        Make deploy #{d.number} (<code>{d.deploymentId}</code>, published <When iso={d.createdAt} />, {filesOf(d.fileCount)}, {sizeOf(d.totalBytes)}) live
        {d.status === 'SUPERSEDED' ? ' again' : ''}
        {url ? ` at ${url}` : ''}? Visitors get its files from their next request.
        {live ? ` Deploy #${live.number}, live now, stays listed and can be made live again.` : ''}
      </p>
      <div className="row">
        <button type="button" disabled={busy} onClick={props.onConfirm}>
          {actionLabel(d, live, true)}
        </button>
        <button type="button" className="quiet" disabled={busy} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
