import { useEffect, useRef, useState, type FormEvent } from 'react';
import { control } from '../api.js';
import { Link } from '../link.js';
import { ErrorNote, Loading, ListTable, When } from '../parts.js';
import { pathOf } from '../router.js';
import { deleteObject, downloadUrl, headObject, listBuckets, listFolder, putObject, type ObjectMetadata, type ObjectSummary } from '../s3-api.js';
import { useCall } from '../use-call.js';

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** A size people read: bytes, KB, MB, GB (1024 steps), with the exact byte count beside it where it matters. */
export function sizeText(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function AdminNote() {
  return (
    <p className="muted">The console acts as the cloud&apos;s admin: it can read, upload and delete any object, whatever the bucket&apos;s access rules.</p>
  );
}

/** Files: the cloud's S3 buckets (this environment's storage first), browsed by folder. */
export function FilesPage({ appId, envName, bucket, prefix }: { appId: string; envName: string; bucket?: string | undefined; prefix?: string | undefined }) {
  return (
    <>
      <h1>Files</h1>
      <AdminNote />
      {bucket === undefined ? <BucketList appId={appId} envName={envName} /> : <Folder appId={appId} envName={envName} bucket={bucket} prefix={prefix ?? ''} />}
    </>
  );
}

function BucketList({ appId, envName }: { appId: string; envName: string }) {
  const buckets = useCall(() => listBuckets(), []);
  const stack = useCall(() => control('DescribeStack', { appId, envName }), [appId, envName]);
  // The environment's buckets: its storage first, then the root stack's DeploymentBucket (the CLI's uploads).
  const role = new Map<string, { rank: number; label: string }>();
  for (const r of stack.data?.resources ?? []) {
    if (!r.resourceType.endsWith('::S3::Bucket')) continue;
    const deployment = r.logicalId === 'DeploymentBucket';
    role.set(r.physicalId, deployment ? { rank: 1, label: 'deployment bucket of this environment' } : { rank: 0, label: 'storage of this environment' });
  }
  const rank = (name: string): number => role.get(name)?.rank ?? 2;
  // The list shows once the environment's stack has answered too (or failed): shown before, it would be in name order
  // and then reorder under the reader's pointer when the roles come in.
  const rolesKnown = !stack.loading;
  const sorted = rolesKnown ? [...(buckets.data ?? [])].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name)) : [];
  return (
    <>
      <h2>Buckets</h2>
      <ErrorNote error={buckets.error} />
      {(buckets.loading && !buckets.data) || (buckets.data && buckets.data.length > 0 && !rolesKnown) ? <Loading what="the buckets" /> : null}
      {buckets.data && buckets.data.length === 0 ? <p>The cloud has no buckets: add storage to the project and push it.</p> : null}
      {sorted.length > 0 ? (
        <ListTable label="Buckets" columns={['Bucket', `Environment ${envName}`, 'Created']}>
          {sorted.map((b) => (
            <tr key={b.name}>
              <td>
                <Link to={pathOf({ page: 'files', appId, envName, bucket: b.name, prefix: '' })}>{b.name}</Link>
              </td>
              <td>{role.get(b.name)?.label ?? <span className="muted">—</span>}</td>
              <td>
                <When iso={b.created} />
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </>
  );
}

/** One folder of a bucket: its sub-folders and objects (ListObjectsV2 with `/` as delimiter, 100 at a time). */
function Folder({ appId, envName, bucket, prefix }: { appId: string; envName: string; bucket: string; prefix: string }) {
  const [folders, setFolders] = useState<string[]>([]);
  const [objects, setObjects] = useState<ObjectSummary[]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const [selected, setSelected] = useState<string | undefined>();
  const latest = useRef(0);

  const load = async (token: string | undefined): Promise<void> => {
    const call = ++latest.current;
    setLoading(true);
    try {
      const page = await listFolder(bucket, prefix, token);
      if (call !== latest.current) return;
      setFolders((f) => (token ? [...f, ...page.folders] : page.folders));
      setObjects((o) => (token ? [...o, ...page.objects] : page.objects));
      setNextToken(page.nextToken);
      setError(undefined);
    } catch (e) {
      if (call === latest.current) setError(asError(e));
    } finally {
      if (call === latest.current) setLoading(false);
    }
  };
  useEffect(() => {
    setSelected(undefined);
    void load(undefined);
  }, [bucket, prefix, generation]);
  const reload = (): void => setGeneration((g) => g + 1);

  const at = (p: string) => pathOf({ page: 'files', appId, envName, bucket, prefix: p });
  const steps = prefix.split('/').slice(0, -1);
  return (
    <>
      <nav aria-label="Folder" className="crumbs">
        <ol>
          <li>
            <Link to={pathOf({ page: 'files', appId, envName })}>Buckets</Link>
          </li>
          <li>{steps.length === 0 ? <span aria-current="page">{bucket}</span> : <Link to={at('')}>{bucket}</Link>}</li>
          {steps.map((name, i) => {
            const p = `${steps.slice(0, i + 1).join('/')}/`;
            return <li key={p}>{i === steps.length - 1 ? <span aria-current="page">{name}</span> : <Link to={at(p)}>{name}</Link>}</li>;
          })}
        </ol>
      </nav>
      <h2>
        {bucket}/{prefix}
      </h2>
      <Upload key={`${bucket}/${prefix}`} bucket={bucket} prefix={prefix} exists={(key) => objects.some((o) => o.key === key)} onUploaded={reload} />
      <ErrorNote error={error} />
      {loading && folders.length === 0 && objects.length === 0 ? <Loading what="the folder" /> : null}
      {!loading && !error && folders.length === 0 && objects.length === 0 ? <p>This folder is empty.</p> : null}
      {folders.length > 0 || objects.length > 0 ? (
        <ListTable label="Objects" columns={['Name', 'Size', 'Last modified']}>
          {folders.map((f) => (
            <tr key={`folder:${f}`}>
              <td>
                <Link to={at(f)}>{`${f.slice(prefix.length)}`}</Link>
              </td>
              <td className="muted">folder</td>
              <td />
            </tr>
          ))}
          {objects.map((o) => (
            <tr key={o.key}>
              <td>
                <button
                  type="button"
                  className="quiet link-like"
                  aria-expanded={selected === o.key}
                  onClick={() => setSelected(selected === o.key ? undefined : o.key)}
                >
                  {o.key.slice(prefix.length) || o.key}
                </button>
              </td>
              <td>{sizeText(o.size)}</td>
              <td>
                <When iso={o.lastModified} />
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
      {nextToken !== undefined ? (
        <p>
          <button type="button" disabled={loading} onClick={() => void load(nextToken)}>
            Show more
          </button>
        </p>
      ) : null}
      {selected !== undefined ? (
        <ObjectDetails
          key={selected}
          bucket={bucket}
          objectKey={selected}
          onDeleted={() => {
            setSelected(undefined);
            reload();
          }}
        />
      ) : null}
    </>
  );
}

/** HeadObject's answer, a download link and delete (after a confirmation). */
function ObjectDetails({ bucket, objectKey, onDeleted }: { bucket: string; objectKey: string; onDeleted: () => void }) {
  const meta = useCall<ObjectMetadata>(() => headObject(bucket, objectKey), [bucket, objectKey]);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const download = async (): Promise<void> => {
    try {
      setError(undefined);
      // The object is saved by the browser from S3 (Content-Disposition: attachment), never held by this page.
      location.assign(await downloadUrl(bucket, objectKey));
    } catch (e) {
      setError(asError(e));
    }
  };
  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await deleteObject(bucket, objectKey);
      onDeleted();
    } catch (e) {
      setError(asError(e));
      setBusy(false);
    }
  };
  return (
    <section className="card stack object-details" aria-label={`Object ${objectKey}`}>
      <h2>{objectKey}</h2>
      <ErrorNote error={meta.error ?? error} />
      {meta.loading && !meta.data ? <Loading what="the object's metadata" /> : null}
      {meta.data ? (
        <dl className="facts">
          <dt>Size</dt>
          <dd>
            {sizeText(meta.data.size)}
            {meta.data.size >= 1024 ? ` (${meta.data.size} bytes)` : ''}
          </dd>
          <dt>Type</dt>
          <dd>{meta.data.contentType ?? '—'}</dd>
          <dt>Last modified</dt>
          <dd>
            <When iso={meta.data.lastModified} />
          </dd>
          <dt>ETag</dt>
          <dd>
            <code>{meta.data.etag ?? '—'}</code>
          </dd>
          {meta.data.userMetadata.map(([name, value]) => (
            <FragmentFact key={name} name={`x-amz-meta-${name}`} value={value} />
          ))}
        </dl>
      ) : null}
      <div className="row">
        <button type="button" onClick={() => void download()}>
          Download
        </button>
        {!confirming ? (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        ) : null}
      </div>
      {confirming ? (
        <div className="card danger-zone stack" role="group" aria-label="Confirm delete">
          <p className="data-loss">
            Delete <code>{objectKey}</code> from {bucket}? The bucket keeps no versions: it cannot be brought back.
          </p>
          <div className="row">
            <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
              Delete object
            </button>
            <button type="button" className="quiet" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}

function FragmentFact({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>
        <code>{value}</code>
      </dd>
    </>
  );
}

/** Upload a file into this folder (PutObject through the pipe), its progress shown as it goes. */
function Upload({ bucket, prefix, exists, onUploaded }: { bucket: string; prefix: string; exists: (key: string) => boolean; onUploaded: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ sent: number; total: number } | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [done, setDone] = useState<string | undefined>();
  // The bucket keeps one version of an object: replacing one is asked for twice.
  const [replacing, setReplacing] = useState<string | undefined>();
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return setError(new Error('Choose a file to upload first.'));
    const key = `${prefix}${file.name}`;
    setError(undefined);
    if (exists(key) && replacing !== key) {
      setDone(undefined);
      return setReplacing(key);
    }
    setReplacing(undefined);
    setDone(undefined);
    setProgress({ sent: 0, total: file.size });
    try {
      await putObject(bucket, key, file, (sent, total) => setProgress({ sent, total })).done;
      setDone(key);
      if (input.current) input.current.value = '';
      onUploaded();
    } catch (e) {
      setError(asError(e));
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <form className="inline-form upload" onSubmit={(e) => void submit(e)}>
      <label>
        File to upload here
        <input ref={input} type="file" disabled={progress !== undefined} onChange={() => setReplacing(undefined)} />
      </label>
      <button type="submit" disabled={progress !== undefined}>
        Upload
      </button>
      {progress ? (
        <label>
          Upload progress
          <progress max={progress.total || 1} value={progress.sent} />
        </label>
      ) : null}
      {replacing ? (
        <p role="status" className="error">
          <code>{replacing}</code> already exists: press Upload again to replace it.
        </p>
      ) : null}
      {done ? (
        <p role="status" className="muted">
          Uploaded <code>{done}</code>.
        </p>
      ) : null}
      <ErrorNote error={error} />
    </form>
  );
}
