import { randomInt, randomUUID } from 'node:crypto';
import { cognitoError, invalidParameter } from './cognito-error.js';
import { assertAliasFree, attributeList, caseInsensitive, type CognitoState, findUser, parseAttributes, requirePool, str } from './cognito-state.js';
import { checkAdminWrite } from './attribute-schema.js';
import { holdForVerification, verifiesBeforeUpdate } from './attribute-update.js';
import { deliverCode } from './deliver-code.js';
import { checkPasswordPolicy, setPassword } from './password-setting.js';
import type { StoredPool } from './pool-store.js';
import type { UserOperation } from './user-operation.js';
import { CODE_TTL_MS, newStoredUser, type StoredUser } from './user-store.js';
import { runPostConfirmation } from './trigger-steps.js';
import { clientMetadataOf, eventAttributes, flag, NO_CLIENT, runTrigger, text } from './triggers.js';

/** Admin operations: the route only calls these for SigV4-signed, authorized requests. */
export function adminOperations(state: CognitoState): Record<string, UserOperation> {
  const userOf = async (input: Record<string, unknown>): Promise<{ pool: StoredPool; user: StoredUser }> => {
    const pool = await requirePool(state, input.UserPoolId);
    const user = await findUser(state, pool, str(input, 'Username'));
    if (!user) throw cognitoError('UserNotFoundException', 'User does not exist.');
    return { pool, user };
  };
  const groupOf = async (pool: StoredPool, name: string) => {
    const group = await state.pools.getGroup(pool.id, name);
    if (!group) throw cognitoError('ResourceNotFoundException', 'Group not found.');
    return group;
  };
  const describe = (user: StoredUser, attributesKey: 'Attributes' | 'UserAttributes') => ({
    Username: user.username,
    [attributesKey]: attributeList(user),
    UserCreateDate: Date.parse(user.createdAt) / 1000,
    UserLastModifiedDate: Date.parse(user.updatedAt) / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
  });

  return {
    async AdminCreateUser(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const typed = str(input, 'Username');
      const attributes = parseAttributes(input.UserAttributes, 'UserAttributes');
      checkAdminWrite(pool, attributes, undefined);
      const sub = randomUUID();
      let username = typed;
      if ((pool.config.UsernameAttributes ?? []).length > 0) {
        const kind = typed.includes('@') ? 'email' : 'phone_number';
        attributes[kind] = typed;
        username = sub;
        if (await state.users.findByAttribute(pool.id, kind, typed, caseInsensitive(pool)))
          throw cognitoError('UsernameExistsException', 'An account with the given email already exists.');
      } else if (await state.users.getByName(pool.id, typed, caseInsensitive(pool))) {
        throw cognitoError('UsernameExistsException', 'User account already exists');
      }
      const temporary = typeof input.TemporaryPassword === 'string' ? input.TemporaryPassword : generatePassword();
      checkPasswordPolicy(pool.config, temporary);
      const clientMetadata = clientMetadataOf(input);
      const pre = await runTrigger(state, pool, 'PreSignUp', {
        triggerSource: 'PreSignUp_AdminCreateUser',
        userName: username,
        clientId: NO_CLIENT,
        request: { userAttributes: { ...attributes }, validationData: null, ...(clientMetadata ? { clientMetadata } : {}) },
        response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      });
      if (pre && flag(pre, 'autoVerifyEmail') && attributes.email) attributes.email_verified = 'true';
      if (pre && flag(pre, 'autoVerifyPhone') && attributes.phone_number) attributes.phone_number_verified = 'true';
      const user = newStoredUser({ poolId: pool.id, username, sub, status: 'FORCE_CHANGE_PASSWORD', attributes });
      await setPassword(pool, user, temporary);
      const unique = (pool.config.UsernameAttributes ?? []).length > 0 ? (typed.includes('@') ? 'email' : 'phone_number') : undefined;
      if (!(await state.users.insertIfFree(user, { uniqueAttribute: unique, folded: caseInsensitive(pool) }))) {
        throw cognitoError('UsernameExistsException', unique ? 'An account with the given email already exists.' : 'User account already exists');
      }
      const to = attributes.email ?? attributes.phone_number;
      if (to && input.MessageAction !== 'SUPPRESS') {
        const medium = attributes.email ? 'EMAIL' : 'SMS';
        let subject = 'Your temporary password';
        let body = `Your username is ${typed} and temporary password is ${temporary}.`;
        try {
          const custom = await runTrigger(state, pool, 'CustomMessage', {
            triggerSource: 'CustomMessage_AdminCreateUser',
            userName: username,
            clientId: NO_CLIENT,
            request: {
              userAttributes: eventAttributes(user),
              codeParameter: '{####}',
              usernameParameter: '{username}',
              linkParameter: '{##Click Here##}',
              ...(clientMetadata ? { clientMetadata } : {}),
            },
            response: { smsMessage: null, emailMessage: null, emailSubject: null },
          });
          // The invitation must carry the username and the temporary password, or Cognito sends its own.
          const message = custom ? text(custom, medium === 'EMAIL' ? 'emailMessage' : 'smsMessage') : undefined;
          if (message?.includes('{####}') && message.includes('{username}')) body = message.replace('{username}', typed).replace('{####}', temporary);
          const customSubject = custom ? text(custom, 'emailSubject') : undefined;
          if (customSubject) subject = customSubject;
        } catch (error) {
          // A CustomMessage that fails fails the call: the user it was for is not kept.
          await state.users.delete(pool.id, username);
          throw error;
        }
        await state.mailbox.send({
          to,
          medium,
          subject,
          body,
          code: temporary,
          purpose: 'AdminCreateUser',
          userPoolId: pool.id,
          username,
        });
      }
      return { User: describe(user, 'Attributes') };
    },
    async AdminGetUser(input) {
      const { user } = await userOf(input);
      const mfa = [...(user.mfa.smsEnabled ? ['SMS_MFA'] : []), ...(user.mfa.totpEnabled ? ['SOFTWARE_TOKEN_MFA'] : [])];
      return {
        ...describe(user, 'UserAttributes'),
        ...(mfa.length > 0 ? { UserMFASettingList: mfa } : {}),
        ...(user.mfa.preferred ? { PreferredMfaSetting: user.mfa.preferred } : {}),
      };
    },
    async AdminDeleteUser(input) {
      const { pool, user } = await userOf(input);
      await state.users.delete(pool.id, user.username);
      return {};
    },
    async AdminDisableUser(input) {
      const { pool, user } = await userOf(input);
      user.enabled = false;
      await state.users.update(user);
      await state.users.revokeAll(pool.id, user.username);
      return {};
    },
    async AdminEnableUser(input) {
      const { user } = await userOf(input);
      user.enabled = true;
      await state.users.update(user);
      return {};
    },
    async AdminSetUserPassword(input) {
      const { pool, user } = await userOf(input);
      const password = str(input, 'Password');
      checkPasswordPolicy(pool.config, password);
      await setPassword(pool, user, password);
      user.status = input.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
      await state.users.update(user);
      return {};
    },
    async AdminResetUserPassword(input) {
      const { pool, user } = await userOf(input);
      user.status = 'RESET_REQUIRED';
      await state.users.update(user);
      await state.users.revokeAll(pool.id, user.username);
      const code = await state.users.newCode(pool.id, user.username, 'reset', CODE_TTL_MS.reset);
      await deliverCode(state, pool, user, 'ForgotPassword', code);
      return {};
    },
    async AdminConfirmSignUp(input) {
      const { pool, user } = await userOf(input);
      if (user.status !== 'UNCONFIRMED') throw cognitoError('NotAuthorizedException', `User cannot be confirmed. Current status is ${user.status}`);
      user.status = 'CONFIRMED';
      await state.users.update(user);
      await runPostConfirmation(state, pool, user, 'PostConfirmation_ConfirmSignUp', NO_CLIENT, clientMetadataOf(input));
      return {};
    },
    async AdminUpdateUserAttributes(input) {
      const { pool, user } = await userOf(input);
      const changes = parseAttributes(input.UserAttributes, 'UserAttributes');
      checkAdminWrite(pool, changes, user);
      await assertAliasFree(state, pool, user, changes);
      for (const [name, value] of Object.entries(changes)) {
        // Setting <name>_verified to true in the same call applies the new value at once, as in Cognito.
        if (changes[`${name}_verified`] !== 'true' && verifiesBeforeUpdate(pool, user, name, value)) {
          await holdForVerification(state, pool, user, name, value);
          delete changes[name];
        }
      }
      Object.assign(user.attributes, changes);
      await state.users.update(user);
      return {};
    },
    async AdminAddUserToGroup(input) {
      const { pool, user } = await userOf(input);
      await groupOf(pool, str(input, 'GroupName'));
      await state.users.addToGroup(pool.id, str(input, 'GroupName'), user.username);
      return {};
    },
    async AdminRemoveUserFromGroup(input) {
      const { pool, user } = await userOf(input);
      await groupOf(pool, str(input, 'GroupName'));
      await state.users.removeFromGroup(pool.id, str(input, 'GroupName'), user.username);
      return {};
    },
    async AdminListGroupsForUser(input) {
      const { pool, user } = await userOf(input);
      const names = await state.users.groupsOf(pool.id, user.username);
      const groups = [];
      for (const name of names) groups.push(await groupOf(pool, name));
      return { Groups: groups };
    },
    async AdminUserGlobalSignOut(input) {
      const { pool, user } = await userOf(input);
      await state.users.revokeAll(pool.id, user.username);
      return {};
    },
    async ListUsers(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const filter = parseFilter(input.Filter);
      const limit = typeof input.Limit === 'number' && input.Limit > 0 ? Math.min(input.Limit, 60) : 60;
      const token = input.PaginationToken;
      let after: string | undefined;
      if (typeof token === 'string') {
        after = Buffer.from(token, 'base64url').toString('utf8');
        if (after === '') throw invalidParameter('PaginationToken is not valid.');
      }
      const rows = await state.users.listPage(pool.id, { ...(filter ? { filter } : {}), ...(after !== undefined ? { after } : {}), limit });
      const users = rows.slice(0, limit);
      const next = rows.length > limit ? { PaginationToken: Buffer.from(users.at(-1)!.username, 'utf8').toString('base64url') } : {};
      return { Users: users.map((u) => describe(u, 'Attributes')), ...next };
    },
    async ListUsersInGroup(input) {
      const pool = await requirePool(state, input.UserPoolId);
      await groupOf(pool, str(input, 'GroupName'));
      const users: unknown[] = [];
      for (const name of await state.users.membersOf(pool.id, str(input, 'GroupName'))) {
        const user = await state.users.get(pool.id, name);
        if (user) users.push(describe(user, 'Attributes'));
      }
      return page(users, input, 'Users', 'NextToken', 60);
    },
    async CreateGroup(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const name = str(input, 'GroupName');
      if (await state.pools.getGroup(pool.id, name)) throw cognitoError('GroupExistsException', 'A group with the name already exists.');
      await state.pools.putGroup({
        poolId: pool.id,
        name,
        description: optional(input.Description),
        precedence: typeof input.Precedence === 'number' ? input.Precedence : undefined,
        roleArn: optional(input.RoleArn),
      });
      return { Group: await groupOf(pool, name) };
    },
    async GetGroup(input) {
      const pool = await requirePool(state, input.UserPoolId);
      return { Group: await groupOf(pool, str(input, 'GroupName')) };
    },
    async ListGroups(input) {
      const pool = await requirePool(state, input.UserPoolId);
      return page(await state.pools.listGroups(pool.id), input, 'Groups', 'NextToken', 60);
    },
    async DeleteGroup(input) {
      const pool = await requirePool(state, input.UserPoolId);
      await groupOf(pool, str(input, 'GroupName'));
      await state.pools.deleteGroup(pool.id, str(input, 'GroupName'));
      return {};
    },
  };
}

function optional(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The attributes Cognito's ListUsers searches by (custom attributes are not searchable). */
const SEARCHABLE_ATTRIBUTES = new Set([
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
]);

/** `attr = "v"` or `attr ^= "v"`, Cognito's ListUsers filter grammar, on an attribute Cognito searches by. */
function parseFilter(filter: unknown): { attribute: string; op: '=' | '^='; value: string } | undefined {
  if (filter === undefined || filter === '') return undefined;
  const m = typeof filter === 'string' ? /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter) : null;
  if (!m) throw invalidParameter('Filter must look like attribute = "value" or attribute ^= "value".');
  // As Cognito: only these. The name is also written into the query, whose text would otherwise vary with it.
  if (!SEARCHABLE_ATTRIBUTES.has(m[1]!))
    throw invalidParameter(
      `${m[1]} is not a searchable attribute: ListUsers filters by ${[...SEARCHABLE_ATTRIBUTES].join(', ')} (custom attributes are not searchable).`,
    );
  return { attribute: m[1]!, op: m[2] === '=' ? '=' : '^=', value: m[3]!.replace(/\\(.)/g, '$1') };
}

/** Offset pagination with an opaque token. */
function page(items: unknown[], input: Record<string, unknown>, key: string, tokenKey: string, max: number): Record<string, unknown> {
  const limit = typeof input.Limit === 'number' && input.Limit > 0 ? Math.min(input.Limit, max) : max;
  const token = input[tokenKey];
  const start = typeof token === 'string' ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter(`${tokenKey} is not valid.`);
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? { [tokenKey]: Buffer.from(String(start + limit)).toString('base64url') } : {};
  return { [key]: slice, ...next };
}

function generatePassword(): string {
  const sets = ['abcdefghijkmnopqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '!#%+-.=?'];
  const chars = sets.flatMap((set) => Array.from({ length: 3 }, () => set[randomInt(set.length)]!));
  return chars.sort(() => randomInt(3) - 1).join('');
}
