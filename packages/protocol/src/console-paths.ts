/**
 * Where Forte Cloud serves its web console, and how the console's pages talk to it. Plain constants (no
 * schema library), so the console's browser bundle imports them without the rest of the protocol.
 *
 * - `GET  /_forte/console/…`            the console's files (index.html for every page path)
 * - `POST /_forte/console/api/session`  `{accessKeyId, secretAccessKey}` → a session cookie; answers `{csrfToken}`
 * - `GET  /_forte/console/api/session`  `{signedIn: true, csrfToken, expiresAt}` with a live session's cookie, else `{signedIn: false}`
 * - `DELETE /_forte/console/api/session` signs out (cookie and CSRF header)
 * - `GET  /_forte/console/login?token=` a one-time login link (`CreateConsoleLoginLink`) → a session cookie and a redirect
 * - `POST /_forte/console/api/download-url` `{bucket, key}` (cookie and CSRF header) → `{url, expiresAt}`: a presigned
 *   S3 GetObject URL, signed with the session's admin keys for a few minutes, that the browser downloads from
 * - `POST /_forte/console/api/user-tokens` `{userPoolId, username}` (cookie and CSRF header) → `{idToken, accessToken,
 *   expiresIn, clientId, username}`: a user's tokens as a sign-in issues them, short-lived and without a refresh token,
 *   for the GraphQL page's "as user" calls
 * - `/_forte/console/api/aws/<path>`   the pipe: with the cookie and the CSRF header, the request is served by
 *   the cloud's route at `/<path>` (the control API at `api/aws/control/`, Cognito at `api/aws/cognito-idp/`, …)
 *   as the admin principal, unsigned
 */
export const CONSOLE_PATH = '/_forte/console/';
export const CONSOLE_API_PATH = `${CONSOLE_PATH}api/`;
export const CONSOLE_SESSION_PATH = `${CONSOLE_API_PATH}session`;
export const CONSOLE_PIPE_PATH = `${CONSOLE_API_PATH}aws/`;
export const CONSOLE_DOWNLOAD_URL_PATH = `${CONSOLE_API_PATH}download-url`;
export const CONSOLE_USER_TOKENS_PATH = `${CONSOLE_API_PATH}user-tokens`;
export const CONSOLE_LOGIN_PATH = `${CONSOLE_PATH}login`;
/** The header every pipe call and sign-out carries: the session's CSRF token. */
export const CONSOLE_CSRF_HEADER = 'x-forte-csrf';
/** The session cookie's name (HttpOnly, SameSite=Strict, Path=/_forte/console/). */
export const CONSOLE_SESSION_COOKIE = 'forte_console';
