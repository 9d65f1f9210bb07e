/**
 * The source of the Admin Queries function (`amplify/backend/function/AdminQueries<id>/src`), Forte's own
 * equivalent of Amplify's admin-auth Express app: the same routes, bodies, answers and group check, as a
 * plain Lambda proxy handler with no dependencies (the runtime provides the AWS SDK, as Lambda's Node.js
 * runtimes do), so a push installs nothing.
 */
export const ADMIN_QUERIES_INDEX = `/* Amplify Params - DO NOT EDIT
\tENV
\tGROUP
\tREGION
\tUSERPOOL
Amplify Params - DO NOT EDIT */
// The Admin Queries API: user pool administration for the members of GROUP (every signed-in user when GROUP
// is NONE). The API Gateway in front of it lets only callers with a user pool access token through.
const actions = require('./cognitoActions');

const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Origin, X-Requested-With, Content-Type, Accept' };

class HttpError extends Error {
  constructor(statusCode, message) {
    super(message);
    this.statusCode = statusCode;
  }
}

const required = (value, message) => {
  if (!value) throw new HttpError(400, message);
  return value;
};
const limitOf = (query) => (query.limit ? Number(query.limit) : undefined);

// method path -> handler(body, query, event)
const routes = {
  'POST /addUserToGroup': (b) => {
    required(b.username && b.groupname, 'username and groupname are required');
    return actions.addUserToGroup(b.username, b.groupname);
  },
  'POST /removeUserFromGroup': (b) => {
    required(b.username && b.groupname, 'username and groupname are required');
    return actions.removeUserFromGroup(b.username, b.groupname);
  },
  'POST /confirmUserSignUp': (b) => actions.confirmUserSignUp(required(b.username, 'username is required')),
  'POST /disableUser': (b) => actions.disableUser(required(b.username, 'username is required')),
  'POST /enableUser': (b) => actions.enableUser(required(b.username, 'username is required')),
  'GET /getUser': (b, q) => actions.getUser(required(q.username, 'username is required')),
  'GET /listUsers': (b, q) => actions.listUsers(q.token ? limitOf(q) || 25 : limitOf(q), q.token),
  'GET /listGroups': (b, q) => actions.listGroups(q.token ? limitOf(q) || 25 : limitOf(q), q.token),
  'GET /listGroupsForUser': (b, q) =>
    actions.listGroupsForUser(required(q.username, 'username is required'), q.token ? limitOf(q) || 25 : limitOf(q), q.token),
  'GET /listUsersInGroup': (b, q) =>
    actions.listUsersInGroup(required(q.groupname, 'groupname is required'), q.token ? limitOf(q) || 25 : limitOf(q), q.token),
  'POST /signUserOut': (b, q, event) => {
    // Only the signed-in user may sign themselves out of every device.
    const claims = (event.requestContext.authorizer || {}).claims || {};
    const arn = (event.requestContext.identity || {}).userArn || '';
    if (b.username !== claims.username && b.username !== /[^/]*$/.exec(arn)[0]) throw new HttpError(400, 'only the user can sign themselves out');
    return actions.signUserOut(b.username);
  },
};

function checkGroup(event, path) {
  const allowedGroup = process.env.GROUP;
  if (path === '/signUserOut' || allowedGroup === undefined || allowedGroup === 'NONE') return;
  const claims = (event.requestContext.authorizer || {}).claims || {};
  const groups = claims['cognito:groups'] ? String(claims['cognito:groups']).split(',') : [];
  if (!groups.includes(allowedGroup)) throw new HttpError(403, 'User does not have permissions to perform administrative tasks');
}

function parseBody(event) {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const headers = Object.fromEntries(Object.entries(event.headers || {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (String(headers['content-type'] || '').startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    const body = JSON.parse(text);
    return body && typeof body === 'object' ? body : {};
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

const answer = (statusCode, body) => ({ statusCode, headers: { ...CORS, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

exports.handler = async (event) => {
  const path = (event.path || '/').replace(/\\/+$/, '') || '/';
  try {
    checkGroup(event, path);
    const route = routes[\`\${event.httpMethod} \${path}\`];
    if (!route) throw new HttpError(404, \`Cannot \${event.httpMethod} \${path}\`);
    return answer(200, await route(parseBody(event), event.queryStringParameters || {}, event));
  } catch (err) {
    console.error(err.message);
    const status = err.statusCode || (err.$metadata && err.$metadata.httpStatusCode) || 500;
    return answer(status, { message: err.message });
  }
};
`;

export const ADMIN_QUERIES_ACTIONS = `// The user pool actions of the Admin Queries API, on the pool named by USERPOOL.
const {
  CognitoIdentityProviderClient,
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
  AdminConfirmSignUpCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
} = require('@aws-sdk/client-cognito-identity-provider');

const client = new CognitoIdentityProviderClient({});
const UserPoolId = process.env.USERPOOL;

// The SDK's answer without its request metadata.
async function send(command) {
  const { $metadata, ...output } = await client.send(command);
  return output;
}
const page = (Limit, token, key) => ({ ...(Limit && { Limit }), ...(token && { [key]: token }) });

async function addUserToGroup(Username, GroupName) {
  await send(new AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName }));
  return { message: \`Success adding \${Username} to \${GroupName}\` };
}

async function removeUserFromGroup(Username, GroupName) {
  await send(new AdminRemoveUserFromGroupCommand({ UserPoolId, Username, GroupName }));
  return { message: \`Removed \${Username} from \${GroupName}\` };
}

async function confirmUserSignUp(Username) {
  await send(new AdminConfirmSignUpCommand({ UserPoolId, Username }));
  return { message: \`Confirmed \${Username} registration\` };
}

async function disableUser(Username) {
  await send(new AdminDisableUserCommand({ UserPoolId, Username }));
  return { message: \`Disabled \${Username}\` };
}

async function enableUser(Username) {
  await send(new AdminEnableUserCommand({ UserPoolId, Username }));
  return { message: \`Enabled \${Username}\` };
}

async function getUser(Username) {
  return send(new AdminGetUserCommand({ UserPoolId, Username }));
}

async function listUsers(Limit, token) {
  const { PaginationToken, ...result } = await send(new ListUsersCommand({ UserPoolId, ...page(Limit, token, 'PaginationToken') }));
  // NextToken, as the other list actions name it.
  return { ...result, NextToken: PaginationToken };
}

async function listGroups(Limit, token) {
  return send(new ListGroupsCommand({ UserPoolId, ...page(Limit, token, 'NextToken') }));
}

async function listGroupsForUser(Username, Limit, token) {
  const result = await send(new AdminListGroupsForUserCommand({ UserPoolId, Username, ...page(Limit, token, 'NextToken') }));
  // Only what a client application needs of each group.
  result.Groups = (result.Groups || []).map(({ GroupName, Description }) => ({ GroupName, ...(Description !== undefined && { Description }) }));
  return result;
}

async function listUsersInGroup(GroupName, Limit, token) {
  return send(new ListUsersInGroupCommand({ UserPoolId, GroupName, ...page(Limit, token, 'NextToken') }));
}

async function signUserOut(Username) {
  await send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username }));
  return { message: \`Signed out \${Username} from all devices\` };
}

module.exports = {
  addUserToGroup,
  removeUserFromGroup,
  confirmUserSignUp,
  disableUser,
  enableUser,
  getUser,
  listUsers,
  listGroups,
  listGroupsForUser,
  listUsersInGroup,
  signUserOut,
};
`;
