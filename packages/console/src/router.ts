import { useEffect, useState } from 'react';
import { CONSOLE_PATH } from '@forte/protocol/console-paths';

/** The console's pages, from the path under /_forte/console/. */
export type PageRoute =
  | { page: 'apps' }
  | { page: 'app'; appId: string }
  | { page: 'environment'; appId: string; envName: string }
  | { page: 'deployment'; appId: string; envName: string; deploymentId: string }
  | { page: 'users'; appId: string; envName: string; poolId?: string }
  | { page: 'data'; appId: string; envName: string }
  | { page: 'table'; appId: string; envName: string; tableName: string }
  | { page: 'files'; appId: string; envName: string; bucket?: string | undefined; prefix?: string | undefined }
  | { page: 'functions'; appId: string; envName: string }
  | { page: 'function'; appId: string; envName: string; functionName: string }
  | { page: 'hosting'; appId: string; envName: string }
  | { page: 'graphql'; appId: string; envName: string; apiId?: string | undefined }
  | { page: 'logs' }
  | { page: 'not-found'; path: string };

export function routeOf(pathname: string): PageRoute {
  const rest = pathname.startsWith(CONSOLE_PATH) ? pathname.slice(CONSOLE_PATH.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'apps' };
  if (parts[0] === 'logs' && parts.length === 1) return { page: 'logs' };
  if (parts[0] === 'apps' && parts.length === 2) return { page: 'app', appId: parts[1]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts.length === 4) return { page: 'environment', appId: parts[1]!, envName: parts[3]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'deployments' && parts.length === 6)
    return { page: 'deployment', appId: parts[1]!, envName: parts[3]!, deploymentId: parts[5]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'users' && (parts.length === 5 || parts.length === 6))
    return { page: 'users', appId: parts[1]!, envName: parts[3]!, ...(parts[5] ? { poolId: parts[5] } : {}) };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'data' && parts.length === 5) return { page: 'data', appId: parts[1]!, envName: parts[3]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'data' && parts.length === 6)
    return { page: 'table', appId: parts[1]!, envName: parts[3]!, tableName: parts[5]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'files' && parts.length >= 5) {
    const [, appId, , envName, , bucket, ...folders] = parts as [string, string, string, string, string, ...string[]];
    return { page: 'files', appId, envName, bucket, prefix: folders.map((f) => `${f}/`).join('') };
  }
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'functions' && parts.length === 5)
    return { page: 'functions', appId: parts[1]!, envName: parts[3]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'functions' && parts.length === 6)
    return { page: 'function', appId: parts[1]!, envName: parts[3]!, functionName: parts[5]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'hosting' && parts.length === 5)
    return { page: 'hosting', appId: parts[1]!, envName: parts[3]! };
  if (parts[0] === 'apps' && parts[2] === 'env' && parts[4] === 'graphql' && (parts.length === 5 || parts.length === 6))
    return { page: 'graphql', appId: parts[1]!, envName: parts[3]!, apiId: parts[5] };
  return { page: 'not-found', path: rest };
}

/** The path of a page, for links. */
export function pathOf(route: Exclude<PageRoute, { page: 'not-found' }>): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case 'apps':
      return CONSOLE_PATH;
    case 'app':
      return `${CONSOLE_PATH}apps/${e(route.appId)}`;
    case 'environment':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}`;
    case 'deployment':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/deployments/${e(route.deploymentId)}`;
    case 'data':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/data`;
    case 'table':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/data/${e(route.tableName)}`;
    case 'users':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/users${route.poolId ? `/${e(route.poolId)}` : ''}`;
    case 'files': {
      // A folder's path is its prefix, one segment per folder (the prefix always ends in `/`).
      const folders = (route.prefix ?? '').split('/').slice(0, -1).map(e);
      const where = route.bucket === undefined ? '' : `/${[e(route.bucket), ...folders].join('/')}`;
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/files${where}`;
    }
    case 'functions':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/functions`;
    case 'function':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/functions/${e(route.functionName)}`;
    case 'hosting':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/hosting`;
    case 'graphql':
      return `${CONSOLE_PATH}apps/${e(route.appId)}/env/${e(route.envName)}/graphql${route.apiId ? `/${e(route.apiId)}` : ''}`;
    case 'logs':
      return `${CONSOLE_PATH}logs`;
  }
}

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current page, following links and the browser's back and forward buttons. */
export function useRoute(): PageRoute {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = (): void => setRoute(routeOf(location.pathname));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}
