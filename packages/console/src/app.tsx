import { Suspense, useEffect, useRef, useState } from 'react';
import { resumeSession, signOut, whenSignedOut } from './api.js';
import { lazyPage } from './lazy-page.js';
import { Link } from './link.js';
import { Loading } from './parts.js';
import { AppPage } from './pages/app-page.js';
import { AppsPage } from './pages/apps-page.js';
import { DeploymentPage } from './pages/deployment-page.js';
import { EnvironmentPage } from './pages/environment-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { pathOf, routeOf, useRoute, type PageRoute } from './router.js';

// Loaded when first opened: they are not needed for the first page.
const users = lazyPage(() => import('./pages/users-page.js').then((m) => m.UsersPage));
const files = lazyPage(() => import('./pages/files-page.js').then((m) => m.FilesPage));
const functions = lazyPage(() => import('./pages/functions-page.js').then((m) => m.FunctionsPage));
const fn = lazyPage(() => import('./pages/function-page.js').then((m) => m.FunctionPage));
const data = lazyPage(() => import('./pages/data-page.js').then((m) => m.DataPage));
const table = lazyPage(() => import('./pages/table-page.js').then((m) => m.TablePage));
const hosting = lazyPage(() => import('./pages/hosting-page.js').then((m) => m.HostingPage));
const graphql = lazyPage(() => import('./pages/graphql-page.js').then((m) => m.GraphQLPage));
const logs = lazyPage(() => import('./pages/logs-page.js').then((m) => m.LogsPage));
const UsersPage = users.Page;
const FilesPage = files.Page;
const FunctionsPage = functions.Page;
const FunctionPage = fn.Page;
const DataPage = data.Page;
const TablePage = table.Page;
const HostingPage = hosting.Page;
const GraphQLPage = graphql.Page;
const LogsPage = logs.Page;

/** The lazy page a route shows, to load alongside the session check when the console opens on it. */
const LAZY_PAGES: Partial<Record<PageRoute['page'], { preload(): Promise<unknown> }>> = {
  users,
  files,
  functions,
  function: fn,
  data,
  table,
  hosting,
  graphql,
  logs,
};

type SessionState = 'checking' | 'signed-out' | 'signed-in';

/** The console: the sign-in until this browser has a session, then the page its path names. */
export function App() {
  const [session, setSession] = useState<SessionState>('checking');
  const route = useRoute();
  useEffect(() => {
    whenSignedOut(() => setSession('signed-out'));
    // The page's chunk loads while the session is checked, and the page shows once both are in: its Suspense
    // boundary never shows a fallback, so React does not hold the page back (see lazyPage).
    const chunk = LAZY_PAGES[routeOf(location.pathname).page]?.preload().catch(() => undefined);
    resumeSession().then(
      async (ok) => {
        if (ok) await chunk;
        setSession(ok ? 'signed-in' : 'signed-out');
      },
      () => setSession('signed-out'),
    );
  }, []);

  if (session === 'checking') return null;
  if (session === 'signed-out') return <SignInPage onSignedIn={() => setSession('signed-in')} />;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to={pathOf({ page: 'apps' })} className="brand">
          Forte console
        </Link>
        <Breadcrumbs route={route} />
        <Link to={pathOf({ page: 'logs' })} className="top-link">
          Logs
        </Link>
        <button
          type="button"
          className="quiet"
          onClick={() => {
            void signOut().then(() => setSession('signed-out'));
          }}
        >
          Sign out
        </button>
      </header>
      <Page route={route} />
    </>
  );
}

function Page({ route }: { route: PageRoute }) {
  const main = useRef<HTMLElement>(null);
  const key = JSON.stringify(route);
  // A new page takes the focus to its content, as a page load would, so keyboard and screen reader users start there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [key]);
  return (
    <main id="main" ref={main} tabIndex={-1}>
      {route.page === 'apps' ? <AppsPage /> : null}
      {route.page === 'app' ? <AppPage appId={route.appId} /> : null}
      {route.page === 'environment' ? <EnvironmentPage appId={route.appId} envName={route.envName} /> : null}
      {route.page === 'deployment' ? <DeploymentPage appId={route.appId} envName={route.envName} deploymentId={route.deploymentId} /> : null}
      {route.page === 'users' ? (
        <Suspense fallback={<Loading what="the users page" />}>
          <UsersPage appId={route.appId} envName={route.envName} poolId={route.poolId} />
        </Suspense>
      ) : null}
      {route.page === 'data' || route.page === 'table' ? (
        <Suspense fallback={<Loading what="the page" />}>
          {route.page === 'data' ? <DataPage appId={route.appId} envName={route.envName} /> : null}
          {route.page === 'table' ? <TablePage appId={route.appId} envName={route.envName} tableName={route.tableName} /> : null}
        </Suspense>
      ) : null}
      <Suspense fallback={<p className="muted">Loading…</p>}>
        {route.page === 'files' ? <FilesPage appId={route.appId} envName={route.envName} bucket={route.bucket} prefix={route.prefix} /> : null}
        {route.page === 'functions' ? <FunctionsPage appId={route.appId} envName={route.envName} /> : null}
        {route.page === 'function' ? <FunctionPage functionName={route.functionName} /> : null}
        {route.page === 'logs' ? <LogsPage /> : null}
      </Suspense>
      {route.page === 'hosting' ? (
        <Suspense fallback={<Loading what="the hosting page" />}>
          <HostingPage appId={route.appId} envName={route.envName} />
        </Suspense>
      ) : null}
      {route.page === 'graphql' ? (
        <Suspense fallback={<Loading what="the GraphQL page" />}>
          <GraphQLPage appId={route.appId} envName={route.envName} apiId={route.apiId} />
        </Suspense>
      ) : null}
      {route.page === 'not-found' ? (
        <>
          <h1>Not found</h1>
          <p>
            The console has no page <code>{route.path}</code>. <Link to={pathOf({ page: 'apps' })}>See the apps</Link>.
          </p>
        </>
      ) : null}
    </main>
  );
}

function Breadcrumbs({ route }: { route: PageRoute }) {
  const crumbs: { label: string; to: string }[] = [{ label: 'Apps', to: pathOf({ page: 'apps' }) }];
  if ('appId' in route) crumbs.push({ label: `App ${route.appId}`, to: pathOf({ page: 'app', appId: route.appId }) });
  if ('envName' in route) crumbs.push({ label: route.envName, to: pathOf({ page: 'environment', appId: route.appId, envName: route.envName }) });
  if ('deploymentId' in route) crumbs.push({ label: 'Deployment', to: pathOf(route) });
  if (route.page === 'users') crumbs.push({ label: 'Users', to: pathOf(route) });
  if (route.page === 'data' || route.page === 'table') crumbs.push({ label: 'Data', to: pathOf({ page: 'data', appId: route.appId, envName: route.envName }) });
  if (route.page === 'table') crumbs.push({ label: route.tableName, to: pathOf(route) });
  if (route.page === 'files') crumbs.push({ label: 'Files', to: pathOf({ page: 'files', appId: route.appId, envName: route.envName }) });
  if (route.page === 'functions' || route.page === 'function')
    crumbs.push({ label: 'Functions', to: pathOf({ page: 'functions', appId: route.appId, envName: route.envName }) });
  if (route.page === 'function') crumbs.push({ label: route.functionName, to: pathOf(route) });
  if (route.page === 'hosting') crumbs.push({ label: 'Hosting', to: pathOf(route) });
  if (route.page === 'graphql') crumbs.push({ label: 'GraphQL', to: pathOf({ page: 'graphql', appId: route.appId, envName: route.envName }) });
  if (route.page === 'logs') crumbs.push({ label: 'Logs', to: pathOf(route) });
  return (
    <nav aria-label="Breadcrumb" className="crumbs">
      <ol>
        {crumbs.map((c, i) => (
          <li key={c.to}>{i === crumbs.length - 1 ? <span aria-current="page">{c.label}</span> : <Link to={c.to}>{c.label}</Link>}</li>
        ))}
      </ol>
    </nav>
  );
}
