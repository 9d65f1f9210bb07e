/** `forte add storage` → Content in a real terminal: Amplify's questions, the "add auth first" question, Amplify's file. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

void describe('forte add storage (S3) in a terminal (built binary)', () => {
  let work: string;
  let home: string;
  let root: string;
  before(async () => {
    ({ work, home, root } = await initProject('forte-storage-s3-tty-', 'ttyapp'));
  });
  after(() => removeProject({ work, home }));

  void it('without auth it asks to add auth first, and no adds nothing', async () => {
    const run = await runForteInTerminal(['add', 'storage'], { cwd: root, home }, [
      [/Select from one of the below mentioned services/, '\r'],
      [/You need to add auth \(Amazon Cognito\)[\s\S]*Do you want to add auth now\?/, 'n\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.equal(existsSync(join(root, 'amplify/backend/storage')), false);
  });

  void it("with auth: the friendly name, the bucket name, who has access and what each may do, written as Amplify's cli-inputs.json", async () => {
    const auth = await runForte(['add', 'auth', '--headless'], {
      cwd: root,
      home,
      stdin: JSON.stringify({
        version: 2,
        serviceConfiguration: {
          serviceName: 'Cognito',
          includeIdentityPool: true,
          identityPoolConfiguration: { unauthenticatedLogin: true },
          userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'] },
        },
      }),
    });
    assert.equal(auth.code, 0, auth.stderr);
    const erase = '\x7f'.repeat(60);
    const run = await runForteInTerminal(['add', 'storage'], { cwd: root, home }, [
      [/Select from one of the below mentioned services/, '\r'],
      [/Provide a friendly name for your resource/, `${erase}pictures\r`],
      [/Provide bucket name/, `${erase}ttypictures\r`],
      [/Who should have access/, '\x1b[B\r'],
      [/What kind of access do you want for Authenticated users\?/, 'create/update, read, delete\r'],
      [/What kind of access do you want for Guest users\?/, 'read\r'],
      [/Do you want to add a Lambda Trigger for your S3 Bucket\?/, '\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /Successfully added resource pictures locally/);
    const text = readFileSync(join(root, 'amplify/backend/storage/pictures/cli-inputs.json'), 'utf8');
    const policyUUID = (JSON.parse(text) as { policyUUID: string }).policyUUID;
    assert.match(policyUUID, /^[0-9a-f]{8}$/);
    assert.equal(
      text,
      JSON.stringify(
        {
          resourceName: 'pictures',
          policyUUID,
          bucketName: 'ttypictures',
          storageAccess: 'authAndGuest',
          guestAccess: ['READ'],
          authAccess: ['CREATE_AND_UPDATE', 'READ', 'DELETE'],
          triggerFunction: 'NONE',
          groupAccess: {},
        },
        null,
        2,
      ),
    );
  });
});
