import type { RequestContext } from '../../kernel/types.js';
import { sendPage } from './hosted-ui-http.js';
import { cssOf, type DomainContext } from './hosted-ui-route.js';
import { errorPage, HOSTED_UI_CSS } from './login-page.js';
import { customizationCss, customizationFor } from './ui-customization.js';

/**
 * The stylesheet of one app client's pages (`hosted-ui.css?client_id=`: the hosted UI's own rules, then the
 * client's customization or else the pool's) and its logo (`logo?client_id=`). Both are public, as Cognito's:
 * they style the sign-in page before anyone signs in. Never cached for long, so a change shows at the next page.
 */
export async function sendCustomization(ctx: RequestContext, dc: DomainContext, endpoint: 'hosted-ui.css' | 'logo'): Promise<void> {
  // `ALL` is the pool's own customization (the logo of GetUICustomization's ImageUrl when no client has one).
  const client = dc.clientId && dc.clientId !== 'ALL' ? await dc.state.pools.getClient(dc.clientId) : undefined;
  const found = dc.clientId === 'ALL' || (client && client.poolId === dc.pool.id) ? await customizationFor(dc.state, dc.pool.id, client?.id) : undefined;
  const write = (type: string, body: Buffer): void => {
    ctx.res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
  };
  if (endpoint === 'hosted-ui.css') return write('text/css; charset=utf-8', Buffer.from(`${HOSTED_UI_CSS}${customizationCss(found)}`));
  if (!found?.image || !found.imageType)
    return sendPage(ctx, 404, errorPage({ cssHref: cssOf(dc), error: 'not_found', description: 'This app client has no logo.' }));
  write(found.imageType, found.image);
}
