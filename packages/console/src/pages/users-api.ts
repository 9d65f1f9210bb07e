import type { MailboxMessage } from '@forte/protocol';
import { awsCall } from '../api.js';

/** A user as ListUsers and AdminGetUser describe it. */
export interface PoolUser {
  Username: string;
  Attributes?: { Name: string; Value: string }[];
  UserAttributes?: { Name: string; Value: string }[];
  UserCreateDate: number;
  UserLastModifiedDate: number;
  Enabled: boolean;
  UserStatus: string;
}

export interface PoolGroup {
  GroupName: string;
  Description?: string;
  Precedence?: number;
  RoleArn?: string;
}

export interface PoolDescription {
  Id: string;
  Name: string;
  UsernameAttributes?: string[];
  Policies?: { PasswordPolicy?: { MinimumLength?: number } };
  SchemaAttributes?: { Name: string; Mutable?: boolean; DeveloperOnlyAttribute?: boolean }[];
}

/** The answers of the Cognito operations the users page calls, by operation. */
export interface CognitoAnswers {
  DescribeUserPool: { UserPool: PoolDescription };
  ListUsers: { Users: PoolUser[]; PaginationToken?: string };
  AdminGetUser: PoolUser;
  AdminCreateUser: { User: PoolUser };
  AdminListGroupsForUser: { Groups: PoolGroup[] };
  ListGroups: { Groups: PoolGroup[]; NextToken?: string };
  CreateGroup: { Group: PoolGroup };
  DeleteGroup: Record<string, never>;
  AdminDeleteUser: Record<string, never>;
  AdminDisableUser: Record<string, never>;
  AdminEnableUser: Record<string, never>;
  AdminResetUserPassword: Record<string, never>;
  AdminSetUserPassword: Record<string, never>;
  AdminConfirmSignUp: Record<string, never>;
  AdminUpdateUserAttributes: Record<string, never>;
  AdminAddUserToGroup: Record<string, never>;
  AdminRemoveUserFromGroup: Record<string, never>;
  AdminUserGlobalSignOut: Record<string, never>;
}

/** A Cognito user pool operation, through the pipe as the admin (the same checks and errors as a signed call). */
export function cognito<O extends keyof CognitoAnswers>(operation: O, input: Record<string, unknown>): Promise<CognitoAnswers[O]> {
  return awsCall<CognitoAnswers[O]>('cognito-idp/', `AWSCognitoIdentityProviderService.${operation}`, input);
}

/** The messages the cloud "sent" (codes, invitations), newest first: the mailbox `forte mailbox` reads. */
export async function mailbox(input: { to?: string; userPoolId?: string; username?: string; limit?: number }): Promise<MailboxMessage[]> {
  const answer = await awsCall<{ messages: MailboxMessage[] }>('mailbox-api/', 'ForteMailbox.ListMessages', input);
  return answer.messages;
}

/** Every group of a pool (ListGroups pages through NextToken). */
export async function allGroups(poolId: string): Promise<PoolGroup[]> {
  const groups: PoolGroup[] = [];
  let token: string | undefined;
  do {
    const page = await cognito('ListGroups', { UserPoolId: poolId, ...(token ? { NextToken: token } : {}) });
    groups.push(...page.Groups);
    token = page.NextToken;
  } while (token);
  return groups;
}

export const attributesOf = (user: PoolUser): { Name: string; Value: string }[] => user.Attributes ?? user.UserAttributes ?? [];

export const attributeOf = (user: PoolUser, name: string): string | undefined => attributesOf(user).find((a) => a.Name === name)?.Value;

/** Cognito's ListUsers filter: `attribute ^= "prefix"`, quotes and backslashes escaped. */
export function prefixFilter(attribute: string, prefix: string): string {
  return `${attribute} ^= "${prefix.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
