import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '@forte/protocol';
import { checkProjectName, isProjectNameValid, projectNameFromFolder } from './project-name.js';

void describe("project names (Amplify's project-name-validation)", () => {
  void it('valid: 3 to 20 letters and digits', () => {
    for (const ok of ['abc', 'MyApp1', 'a'.repeat(20)]) assert.equal(isProjectNameValid(ok), true, ok);
    for (const bad of ['', 'ab', 'a'.repeat(21), 'my-app', 'my_app', 'my app', 'café1']) assert.equal(isProjectNameValid(bad), false, bad);
  });

  void it('an explicit invalid name is refused with the rule and a valid example, never changed', () => {
    assert.equal(checkProjectName('myapp'), 'myapp');
    assert.throws(
      () => checkProjectName('my-app_1'),
      (e: unknown) =>
        e instanceof UserError &&
        /3 to 20 characters, letters \(a-z, A-Z\) and digits \(0-9\) only/.test(e.message) &&
        e.resolution.includes('{"projectName":"myapp1"}'),
    );
  });

  void it('the default from the folder is normalised as Amplify does: stripped, padded with 5 random characters, cut at 20', () => {
    assert.equal(projectNameFromFolder('yes-app'), 'yesapp');
    assert.match(projectNameFromFolder('x_y'), /^xy[a-z0-9]{5}$/);
    assert.match(projectNameFromFolder('--'), /^[a-z0-9]{5}$/);
    assert.match(projectNameFromFolder(''), /^amplify[a-z0-9]{5}$/);
    assert.equal(projectNameFromFolder('a-very-long-project-folder-name'), 'averylongprojectfold');
  });
});
