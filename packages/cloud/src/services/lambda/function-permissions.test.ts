import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { permissionAllows } from './function-permissions.js';

const s3 = { principal: 's3.amazonaws.com', sourceArn: 'arn:aws:s3:::photos-dev', sourceAccount: '123456789012' };
const statement = { FunctionName: 'fn', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' };

void describe('permissionAllows', () => {
  void it('allows the service principal, with or without matching source conditions', () => {
    assert.equal(permissionAllows(statement, s3), true);
    assert.equal(permissionAllows({ ...statement, SourceArn: 'arn:aws:s3:::photos-dev', SourceAccount: '123456789012' }, s3), true);
    assert.equal(permissionAllows({ ...statement, SourceArn: 'arn:aws:s3:::photos-*' }, s3), true);
    assert.equal(permissionAllows({ ...statement, Action: 'lambda:*' }, s3), true);
  });
  void it('refuses another principal, action, source bucket or account', () => {
    assert.equal(permissionAllows({ ...statement, Principal: 'apigateway.amazonaws.com' }, s3), false);
    assert.equal(permissionAllows({ ...statement, Action: 'lambda:GetFunction' }, s3), false);
    assert.equal(permissionAllows({ ...statement, SourceArn: 'arn:aws:s3:::photos-prod' }, s3), false);
    assert.equal(permissionAllows({ ...statement, SourceArn: 'arn:aws:s3:::photos.dev' }, { ...s3, sourceArn: 'arn:aws:s3:::photosxdev' }), false);
    assert.equal(permissionAllows({ ...statement, SourceAccount: '000000000000' }, s3), false);
  });
});
