import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { control } from '../api.js';
import { ErrorNote, Loading } from '../parts.js';
import { navigate, pathOf } from '../router.js';
import { useCall } from '../use-call.js';
import { INTROSPECTION_QUERY, listApiKeys, maskedKey, runGraphQL, schemaOf, type GraphQLAnswer, type GraphQLAuth, type SchemaSummary } from './graphql-api.js';
import { SchemaBrowser } from './graphql-schema.js';
import { cognito } from './users-api.js';

type Mode = GraphQLAuth['mode'];

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

const STARTER = `# Run with Ctrl+Enter (⌘+Enter on a Mac).
query {
  __typename
}
`;

/**
 * The GraphQL explorer of an environment's API: a query with its variables and operation name, run with the mode
 * chosen (one of the API's keys, the admin's own rights through the pipe, or a user of the environment's pools,
 * whose tokens the cloud issues without the password), the answer, and the schema's types from introspection.
 */
export function GraphQLPage({ appId, envName, apiId }: { appId: string; envName: string; apiId: string | undefined }) {
  const stack = useCall(() => control('DescribeStack', { appId, envName }), [appId, envName]);
  const apis = (stack.data?.resources ?? []).filter((r) => r.resourceType.endsWith('::AppSync::GraphQLApi') && r.physicalId);
  const pools = (stack.data?.resources ?? []).filter((r) => r.resourceType.endsWith('::Cognito::UserPool') && r.physicalId);
  const api = apis.find((a) => a.physicalId === apiId) ?? apis[0];
  return (
    <>
      <h1>GraphQL of {envName}</h1>
      <ErrorNote error={stack.error} />
      {stack.loading && !stack.data ? <Loading what="the environment's APIs" /> : null}
      {stack.data && apis.length === 0 ? (
        <p>
          The environment has no GraphQL API: <code>forte add api</code> and <code>forte push</code> make one.
        </p>
      ) : null}
      {apis.length > 1 ? (
        <label>
          API
          <select value={api?.physicalId} onChange={(e) => navigate(pathOf({ page: 'graphql', appId, envName, apiId: e.target.value }))}>
            {apis.map((a) => (
              <option key={a.physicalId} value={a.physicalId}>
                {a.logicalId} ({a.physicalId})
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {api ? (
        <Explorer key={api.physicalId} apiId={api.physicalId} apiName={api.logicalId} pools={pools.map((p) => ({ id: p.physicalId, name: p.logicalId }))} />
      ) : null}
    </>
  );
}

function Explorer({ apiId, apiName, pools }: { apiId: string; apiName: string; pools: { id: string; name: string }[] }) {
  const keys = useCall(() => listApiKeys(apiId), [apiId]);
  const [mode, setMode] = useState<Mode | undefined>();
  const [keyIndex, setKeyIndex] = useState(0);
  const [poolId, setPoolId] = useState(pools[0]?.id ?? '');
  const [username, setUsername] = useState('');
  const [query, setQuery] = useState(STARTER);
  const [variables, setVariables] = useState('{}');
  const [operationName, setOperationName] = useState('');
  const [answer, setAnswer] = useState<GraphQLAnswer | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const [schema, setSchema] = useState<SchemaSummary | undefined>();
  const [schemaError, setSchemaError] = useState<Error | undefined>();
  const ids = useId();

  const liveKeys = (keys.data ?? []).filter((k) => k.expires * 1000 > Date.now());
  // The first mode offered: a key when the API has one, else the admin's rights.
  const chosen: Mode = mode ?? (keys.loading ? 'iam' : liveKeys.length > 0 ? 'apiKey' : 'iam');
  const key = liveKeys[keyIndex] ?? liveKeys[0];

  const authOf = (which: Mode): GraphQLAuth => {
    if (which === 'apiKey') {
      if (!key) throw new Error('The API has no live API key: choose another mode.');
      return { mode: 'apiKey', key: key.id };
    }
    if (which === 'user') {
      if (!poolId) throw new Error('The environment has no user pool: choose another mode.');
      if (!username.trim()) throw new Error('Name the user to act as.');
      return { mode: 'user', userPoolId: poolId, username: username.trim() };
    }
    return { mode: 'iam' };
  };

  const loadSchema = async (which: Mode): Promise<void> => {
    setSchemaError(undefined);
    try {
      setSchema(schemaOf(await runGraphQL(apiId, authOf(which), { query: INTROSPECTION_QUERY })));
    } catch (loadError) {
      setSchemaError(asError(loadError));
    }
  };
  // Read once the keys are known, when the API has a key (so it takes API_KEY calls): whether the admin's IAM
  // call is allowed depends on the API's auth modes, and a refused read would only be noise.
  const [schemaAsked, setSchemaAsked] = useState(false);
  useEffect(() => {
    if (!keys.loading && liveKeys.length > 0) {
      setSchemaAsked(true);
      void loadSchema('apiKey');
    }
  }, [keys.loading]);

  const run = async (): Promise<void> => {
    setError(undefined);
    let parsed: unknown;
    try {
      parsed = variables.trim() ? JSON.parse(variables) : undefined;
    } catch (parseError) {
      return setError(new Error(`The variables are not JSON (${asError(parseError).message}): fix them and run again.`));
    }
    if (parsed !== undefined && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)))
      return setError(new Error('The variables must be a JSON object, such as {"id": "1"}.'));
    setBusy(true);
    setAnswer(undefined);
    try {
      const request = { query, ...(parsed ? { variables: parsed } : {}), ...(operationName.trim() ? { operationName: operationName.trim() } : {}) };
      setAnswer(await runGraphQL(apiId, authOf(chosen), request));
    } catch (runError) {
      setAnswer(undefined);
      setError(asError(runError));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void run();
  };
  const runOnCtrlEnter = (e: KeyboardEvent): void => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (!busy) void run();
    }
  };
  const users = useCall(
    () => (chosen === 'user' && poolId ? cognito('ListUsers', { UserPoolId: poolId, Limit: 60 }).then((r) => r.Users) : Promise.resolve([])),
    [chosen === 'user', poolId],
  );

  return (
    <div className="graphql">
      <div className="stack graphql-work">
        <p className="muted">
          API <strong>{apiName}</strong> (<code>{apiId}</code>)
        </p>
        <form className="stack" onSubmit={submit} onKeyDown={runOnCtrlEnter} aria-label="GraphQL request">
          <fieldset className="stack">
            <legend>Run as</legend>
            <div className="row">
              <label className="check">
                <input type="radio" name={`${ids}-mode`} checked={chosen === 'apiKey'} onChange={() => setMode('apiKey')} disabled={liveKeys.length === 0} />
                API key
              </label>
              <label className="check">
                <input type="radio" name={`${ids}-mode`} checked={chosen === 'iam'} onChange={() => setMode('iam')} />
                IAM (the admin)
              </label>
              <label className="check">
                <input type="radio" name={`${ids}-mode`} checked={chosen === 'user'} onChange={() => setMode('user')} disabled={pools.length === 0} />A user
              </label>
            </div>
            <ErrorNote error={keys.error} />
            {chosen === 'apiKey' && key ? (
              <label>
                Key
                {/* Options are numbered: the key itself stays out of the page's markup. */}
                <select value={liveKeys.indexOf(key)} onChange={(e) => setKeyIndex(Number(e.target.value))}>
                  {liveKeys.map((k, index) => (
                    <option key={index} value={index}>
                      {maskedKey(k.id)} {k.description ? `${k.description} ` : ''}(expires {new Date(k.expires * 1000).toLocaleDateString()})
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            {chosen === 'iam' ? (
              <p className="muted">Signed as the cloud&apos;s admin: the API&apos;s AWS_IAM mode, with the admin&apos;s rights (every item, no owner rule).</p>
            ) : null}
            {chosen === 'user' ? (
              <div className="field-parts">
                {pools.length > 1 ? (
                  <label>
                    User pool
                    <select value={poolId} onChange={(e) => setPoolId(e.target.value)}>
                      {pools.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                        </option>
                      ))}
                    </select>
                  </label>
                ) : null}
                <label className="grow">
                  Username
                  <input value={username} list={`${ids}-users`} autoComplete="off" onChange={(e) => setUsername(e.target.value)} />
                  <datalist id={`${ids}-users`}>
                    {(users.data ?? []).map((u) => (
                      <option key={u.Username} value={u.Username} />
                    ))}
                  </datalist>
                </label>
                <p className="muted">
                  The cloud issues this user&apos;s tokens as a sign-in would (groups, claims, triggers), without the password, for 15 minutes at most.
                </p>
              </div>
            ) : null}
          </fieldset>
          <label>
            Query
            <textarea className="code-input" rows={12} value={query} spellCheck={false} onChange={(e) => setQuery(e.target.value)} />
          </label>
          <div className="field-parts">
            <label className="grow">
              Variables (JSON)
              <textarea className="code-input" rows={3} value={variables} spellCheck={false} onChange={(e) => setVariables(e.target.value)} />
            </label>
            <label>
              Operation name
              <input value={operationName} spellCheck={false} onChange={(e) => setOperationName(e.target.value)} placeholder="(the only one)" />
            </label>
          </div>
          <div className="row">
            <button type="submit" disabled={busy}>
              {busy ? 'Running…' : 'Run'}
            </button>
            <button
              type="button"
              className="quiet"
              onClick={() => {
                setSchemaAsked(true);
                void loadSchema(chosen);
              }}
            >
              {schemaAsked ? 'Reload the schema' : 'Read the schema'}
            </button>
          </div>
        </form>
        <ErrorNote error={error} />
        <section aria-label="Result" className="stack">
          <h2>Result</h2>
          {answer ? (
            <>
              <p role="status">
                HTTP {answer.status}
                {hasErrors(answer) ? <span className="error"> · with errors</span> : null}
              </p>
              <pre className="log" tabIndex={0} aria-label="Answer">
                {typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 2)}
              </pre>
            </>
          ) : (
            <p className="muted">Nothing run yet.</p>
          )}
        </section>
      </div>
      <section aria-label="Schema" className="stack graphql-schema">
        <h2>Schema</h2>
        <ErrorNote error={schemaError} />
        {schema ? <SchemaBrowser schema={schema} /> : null}
        {!schema && !schemaError && schemaAsked ? <Loading what="the schema" /> : null}
        {!schemaAsked && !keys.loading ? (
          <p className="muted">The API has no API key: choose how to call it, then read the schema (an introspection query) with that mode.</p>
        ) : null}
      </section>
    </div>
  );
}

const hasErrors = (answer: GraphQLAnswer): boolean => {
  const body = answer.body as { errors?: unknown[] } | null;
  return answer.status >= 400 || (Array.isArray(body?.errors) && body.errors.length > 0);
};
