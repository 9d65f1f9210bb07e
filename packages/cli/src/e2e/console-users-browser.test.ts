import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  GetGroupCommand,
  GetUserCommand,
  ListGroupsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';
import { configureAmplifyFrom } from './amplify-app.js';
import { pageOverflow, useConsoleSuite } from './console-browser-kit.js';
import { missingBrowser } from './example-app.js';

const skipReason = missingBrowser("the web console's users page in Chromium");

/** Email sign-in and the groups Admin and Editors (Amplify's AddAuthRequest v2). */
const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: false,
    userPoolConfiguration: {
      signinMethod: 'EMAIL',
      requiredSignupAttributes: ['EMAIL'],
      userPoolGroups: [{ groupName: 'Admin' }, { groupName: 'Editors' }],
    },
  },
};

void describe("the web console's users page in headless Chromium", { skip: skipReason }, () => {
  const suite = useConsoleSuite('users', 'usersapp', { auth: ADD_AUTH_REQUEST });
  const { project, check } = suite;

  void it('creates a user who then signs in, disables them, groups them, edits attributes, pages and searches, deletes, at 1280×800 and 390×844', async () => {
    await suite.forte(['push', '--yes']);
    const meta = project.readJson('amplify/backend/amplify-meta.json');
    const authName = Object.keys(meta.auth).find((n) => meta.auth[n].service === 'Cognito')!;
    const poolId = String(meta.auth[authName].output.UserPoolId);
    const appId = String(meta.providers.awscloudformation.AmplifyAppId);
    const cloud = suite.cloud();
    const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud, maxAttempts: 1 });
    configureAmplifyFrom(project.root);

    // A user made through the SDK before the page opens, and enough others for a second page.
    const emails = ['sdk-made@example.com', ...Array.from({ length: 20 }, (_, i) => `filler${String(i).padStart(2, '0')}@example.com`)];
    for (const email of emails) await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email, MessageAction: 'SUPPRESS' }));

    const { context, page, errors } = await suite.signedIn();

    // The environment's user pool links to its users.
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev`);
    await page.getByRole('link', { name: /^Users of / }).click();
    await page.getByRole('heading', { name: /^Users of / }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/_forte/console/apps/${appId}/env/dev/users/${poolId}`);
    await page.getByText('acts as the cloud').waitFor();
    const users = page.getByRole('region', { name: 'Users', exact: true });
    await users.getByRole('row').nth(20).waitFor();
    assert.equal(await users.getByRole('row').count(), 21, 'a header and 20 users on the first page');
    await check(page, '1-users');

    // Pages: 21 users, 20 a page. "Page 2" shows as Next is clicked, above the first page's rows until the second
    // page's answer replaces them: the check waits for the user the first page did not show.
    const emailColumn = users.locator('tbody tr td:nth-child(2)');
    const onFirst = await emailColumn.allTextContents();
    const twentyFirst = emails.filter((email) => !onFirst.includes(email));
    assert.equal(twentyFirst.length, 1, `the first page shows 20 of the 21 users: ${onFirst.join(', ')}`);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    await emailColumn.filter({ hasText: twentyFirst[0] }).waitFor();
    assert.deepEqual(await emailColumn.allTextContents(), twentyFirst, 'the 21st user, alone on the second page');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1').waitFor();

    // Search by email prefix finds the SDK's user; a prefix nobody has finds nobody.
    const search = page.getByRole('search', { name: 'Users' });
    await search.getByLabel('Search by').selectOption('email');
    await search.getByLabel('Prefix').fill('sdk-');
    await search.getByRole('button', { name: 'Search' }).click();
    // The first page showed this user too: the search's answer is in once no other user is left in the table.
    await emailColumn
      .filter({ hasText: /^filler/ })
      .first()
      .waitFor({ state: 'detached' });
    await users.getByText('sdk-made@example.com').waitFor();
    assert.equal(await users.getByRole('row').count(), 2);
    await search.getByLabel('Prefix').fill('nobody');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No user matches.').waitFor();
    await check(page, '2-search');

    // A bad temporary password: the cloud's own refusal is shown.
    const create = page.getByRole('form', { name: 'Create a user' });
    await create.getByLabel('Email (the username)').fill('alice@example.com');
    await create.getByRole('textbox', { name: /^Temporary password/ }).fill('short');
    await create.getByRole('button', { name: 'Create user' }).click();
    await create
      .getByRole('alert')
      .getByText(/[Pp]assword/)
      .waitFor();
    assert.equal(errors.filter((e) => / 400 /.test(e)).length, 1, 'the refused call');
    errors.splice(0);

    // Create Alice through the UI, with an invitation: the SDK sees her, the mailbox holds the invitation.
    await create.getByRole('textbox', { name: /^Temporary password/ }).fill('Temporary-123');
    await create.getByRole('button', { name: 'Create user' }).click();
    const panel = page.getByRole('region', { name: /^User alice@example.com/ });
    await panel.waitFor();
    const alice = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' }));
    assert.equal(alice.UserStatus, 'FORCE_CHANGE_PASSWORD');
    const invitation = panel.getByRole('region', { name: 'Mailbox of alice@example.com' }).getByRole('row').filter({ hasText: 'AdminCreateUser' });
    await invitation.waitFor();
    assert.match((await invitation.textContent()) ?? '', /Temporary-123/, 'the invitation carries the temporary password');
    await page.getByRole('region', { name: 'Pool mailbox' }).getByRole('row').filter({ hasText: 'alice@example.com' }).first().waitFor();
    // sub is read-only, email editable.
    await panel.getByRole('region', { name: 'Attributes' }).getByText('(read-only)').waitFor();
    assert.equal(await panel.getByRole('textbox', { name: 'sub', exact: true }).count(), 0);
    await check(page, '3-user-created');

    // Set a permanent password through the UI: she signs in with it.
    const setPassword = panel.getByRole('form', { name: 'Set password' });
    await setPassword.getByLabel('New password').fill('Alice-pass-123');
    await setPassword.getByRole('button', { name: 'Set password' }).click();
    await panel.getByRole('status').getByText('Set the password of').waitFor();
    assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' }))).UserStatus, 'CONFIRMED');
    assert.equal((await signIn({ username: 'alice@example.com', password: 'Alice-pass-123' })).nextStep.signInStep, 'DONE');
    assert.equal((await fetchAuthSession()).tokens?.idToken?.payload['cognito:groups'], undefined, 'in no group yet');
    await signOut();

    // Add her to Admin through the UI: her next ID token says so.
    await panel.getByRole('form', { name: 'Add to a group' }).getByLabel('Group').selectOption('Admin');
    await panel.getByRole('button', { name: 'Add to group' }).click();
    await panel.getByRole('button', { name: 'Remove from group Admin' }).waitFor();
    await signIn({ username: 'alice@example.com', password: 'Alice-pass-123' });
    assert.deepEqual((await fetchAuthSession()).tokens?.idToken?.payload['cognito:groups'], ['Admin']);
    await signOut();

    // Attributes: add one, change one; the SDK reads them back.
    const attributes = panel.getByRole('form', { name: 'Attributes' });
    await attributes.getByLabel('Add an attribute (name)').fill('name');
    await attributes.getByLabel('Value', { exact: true }).fill('Alice Liddell');
    await attributes.getByRole('button', { name: 'Save attributes' }).click();
    await attributes.getByRole('textbox', { name: 'name', exact: true }).waitFor();
    await attributes.getByRole('textbox', { name: 'name', exact: true }).fill('Alice L.');
    await attributes.getByRole('button', { name: 'Save attributes' }).click();
    let named: string | undefined;
    for (let tries = 0; tries < 50 && named !== 'Alice L.'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      named = (await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' }))).UserAttributes?.find(
        (a) => a.Name === 'name',
      )?.Value;
    }
    assert.equal(named, 'Alice L.');
    await panel.getByRole('status').getByText('Saved the attributes').waitFor();

    // Disable through the UI: sign-in is refused; enable: it works again.
    await panel.getByRole('button', { name: 'Disable user' }).click();
    await panel.getByRole('button', { name: 'Enable user' }).waitFor();
    assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' }))).Enabled, false);
    const refused = await signIn({ username: 'alice@example.com', password: 'Alice-pass-123' }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.equal(refused?.name, 'NotAuthorizedException', String(refused));
    await check(page, '4-user-disabled');
    await panel.getByRole('button', { name: 'Enable user' }).click();
    await panel.getByRole('button', { name: 'Disable user' }).waitFor();
    assert.equal((await signIn({ username: 'alice@example.com', password: 'Alice-pass-123' })).nextStep.signInStep, 'DONE');

    // Sign out everywhere through the UI: her access token stops working.
    const accessToken = String((await fetchAuthSession()).tokens?.accessToken);
    await idp.send(new GetUserCommand({ AccessToken: accessToken }));
    await panel.getByRole('button', { name: 'Sign out everywhere' }).click();
    await panel.getByRole('status').getByText('out everywhere').waitFor();
    const revoked = await idp.send(new GetUserCommand({ AccessToken: accessToken })).then(
      () => undefined,
      (e: Error) => e.name,
    );
    assert.equal(revoked, 'NotAuthorizedException');
    await signOut({ global: false }).catch(() => undefined);

    // Remove her from Admin through the UI.
    await panel.getByRole('button', { name: 'Remove from group Admin' }).click();
    await panel.getByText('In no group.').waitFor();
    const alicesGroups = await idp.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' }));
    assert.deepEqual(alicesGroups.Groups, []);

    // Groups: create one through the UI, then delete it.
    const groupForm = page.getByRole('form', { name: 'Create a group' });
    await groupForm.getByLabel('Group name').fill('Testers');
    await groupForm.getByLabel('Description (optional)').fill('People who test');
    await groupForm.getByLabel('Precedence (optional)').fill('5');
    await groupForm.getByRole('button', { name: 'Create group' }).click();
    const groupTable = page.getByRole('region', { name: 'Groups' });
    await groupTable.getByText('People who test').waitFor();
    assert.equal((await idp.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'Testers' }))).Group?.Precedence, 5);
    await groupTable.getByRole('button', { name: 'Delete group Testers' }).click();
    await groupTable.getByRole('button', { name: 'Delete group Testers now' }).click();
    await groupTable.getByText('People who test').waitFor({ state: 'detached' });
    const left = await idp.send(new ListGroupsCommand({ UserPoolId: poolId }));
    assert.deepEqual(left.Groups?.map((g) => g.GroupName).sort(), ['Admin', 'Editors']);

    // The phone layout.
    await page.setViewportSize({ width: 390, height: 844 });
    await panel.getByRole('heading', { name: /^User alice/ }).waitFor();
    const { width, beyond } = await pageOverflow(page, 390);
    await check(page, '5-users-390');
    assert.ok(width <= 390, `the page is ${width} px wide at 390: ${beyond.join('; ')}`);
    await page.setViewportSize({ width: 1280, height: 800 });

    // Reset her password through the UI: she must choose a new one, with the code the mailbox holds.
    await panel.getByRole('button', { name: 'Reset password' }).click();
    await panel.getByRole('region', { name: 'Mailbox of alice@example.com' }).getByRole('row').filter({ hasText: 'ForgotPassword' }).waitFor();
    assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' }))).UserStatus, 'RESET_REQUIRED');

    // Delete her, confirming with her address.
    await panel.getByRole('button', { name: 'Delete user' }).click();
    const confirm = panel.getByRole('form', { name: 'Delete user alice@example.com' });
    const button = confirm.getByRole('button', { name: 'Delete alice@example.com' });
    assert.equal(await button.isDisabled(), true, 'not before the address is typed');
    await confirm.getByLabel('Type alice@example.com to confirm').fill('alice@example.com');
    await button.click();
    await panel.waitFor({ state: 'detached' });
    const gone = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' })).then(
      () => undefined,
      (e: Error) => e.name,
    );
    assert.equal(gone, 'UserNotFoundException');
    await check(page, '6-user-deleted');

    // Bob signs up in the app: the page finds him unconfirmed and confirms him; then he signs in.
    await signUp({ username: 'bob@example.com', password: 'Bob-pass-123', options: { userAttributes: { email: 'bob@example.com' } } });
    await search.getByLabel('Search by').selectOption('email');
    await search.getByLabel('Prefix').fill('bob');
    await search.getByRole('button', { name: 'Search' }).click();
    const bobRow = users.getByRole('row').filter({ hasText: 'bob@example.com' });
    await bobRow.getByText('UNCONFIRMED').waitFor();
    await bobRow.getByRole('button').click();
    const bob = page.getByRole('region', { name: /^User bob@example.com/ });
    await bob.getByRole('button', { name: 'Confirm sign-up' }).click();
    await bob.getByRole('status').getByText('Confirmed bob@example.com').waitFor();
    assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob@example.com' }))).UserStatus, 'CONFIRMED');
    assert.equal((await signIn({ username: 'bob@example.com', password: 'Bob-pass-123' })).nextStep.signInStep, 'DONE');
    await signOut();

    // Without a pool in the path the page lists the environment's pools; a pool it does not have is named.
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev/users`);
    await page.getByRole('navigation', { name: 'User pools' }).getByRole('link').click();
    await page.getByRole('heading', { name: /^Users of / }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/_forte/console/apps/${appId}/env/dev/users/${poolId}`);
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev/users/us-east-1_Missing`);
    await page.getByRole('alert').getByText('Environment dev has no user pool us-east-1_Missing.').waitFor();

    assert.deepEqual(errors, [], 'no console errors');
    await context.close();
  });
});
