import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template } from '@forte/protocol';
import { liftNoEchoParameters } from './no-echo-parameters.js';

void describe('liftNoEchoParameters', () => {
  void it("moves a literal value of a nested stack's NoEcho parameter out of the root template into a NoEcho root parameter", () => {
    const nested: Record<string, Template> = {
      'auth.json': {
        Parameters: { env: { Type: 'String' }, secret: { Type: 'String', NoEcho: true }, key: { Type: 'String', NoEcho: 'true' }, plain: { Type: 'String' } },
        Resources: {},
      },
    };
    const root: Template = {
      Resources: {
        authvault: {
          Type: 'Forte::Stack',
          Properties: { TemplateURL: 'auth.json', Parameters: { env: 'dev', secret: 'very-secret', key: { Ref: 'Other' }, plain: 'shown' } },
        },
        Bucket: { Type: 'Forte::S3::Bucket', Properties: { BucketName: 'b' } },
      },
    };
    const { template, parameters } = liftNoEchoParameters(root, nested);
    assert.doesNotMatch(JSON.stringify(template), /very-secret/);
    assert.deepEqual(parameters, { authvaultsecret: 'very-secret' });
    assert.deepEqual(template.Parameters, { authvaultsecret: { Type: 'String', NoEcho: true } });
    assert.deepEqual(template.Resources['authvault']!.Properties!['Parameters'], {
      env: 'dev',
      secret: { Ref: 'authvaultsecret' },
      key: { Ref: 'Other' },
      plain: 'shown',
    });
    assert.deepEqual(template.Resources['Bucket'], root.Resources['Bucket']);
    // Nothing NoEcho: the root is as built, without Parameters.
    const none = liftNoEchoParameters({ Resources: { Bucket: root.Resources['Bucket']! } }, {});
    assert.equal(none.template.Parameters, undefined);
    assert.deepEqual(none.parameters, {});
  });
});
