/** `forte add storage` → Content in a real terminal: Amplify's questions, the "add auth first" question, Amplify's file. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { identityPoolAuthRequest, runForteInTerminal, useProject } from './forte-runner.js';

void describe('forte add storage (S3) in a terminal (built binary)', () => {
  const project = useProject('forte-storage-s3-tty-', 'ttyapp');

  void it('without auth it asks to add auth first, and no adds nothing', async () => {
    const run = await runForteInTerminal(['add', 'storage'], { cwd: project.root, home: project.home }, [
      [/Select from one of the below mentioned services/, '\r'],
      [/You need to add auth \(Amazon Cognito\)[\s\S]*Do you want to add auth now\?/, 'n\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.equal(existsSync(join(project.root, 'amplify/backend/storage')), false);
  });

  void it("with auth: the friendly name, the bucket name, who has access and what each may do, written as Amplify's cli-inputs.json", async () => {
    const auth = await project.forte(['add', 'auth', '--headless'], JSON.stringify(identityPoolAuthRequest({ guests: true })));
    assert.equal(auth.code, 0, auth.stderr);
    const erase = '\x7f'.repeat(60);
    const run = await runForteInTerminal(['add', 'storage'], { cwd: project.root, home: project.home }, [
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
    const text = readFileSync(join(project.root, 'amplify/backend/storage/pictures/cli-inputs.json'), 'utf8');
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
