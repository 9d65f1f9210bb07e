import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { identityPoolAuthRequest, useProject } from './forte-runner.js';

/** A function that lists the API's notes with a request it signs with its own role, as Gen 1 functions do. */
const READER = `const { createHash, createHmac } = require('crypto');
const { SignatureV4 } = require('@aws-sdk/signature-v4');
class Sha256 {
  constructor(secret) { this.hash = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.hash.update(data); }
  async digest() { return this.hash.digest(); }
}
exports.handler = async () => {
  const url = new URL(process.env.API_NOTESAPI_GRAPHQLAPIENDPOINTOUTPUT);
  const signer = new SignatureV4({
    service: 'appsync',
    region: process.env.AWS_REGION,
    sha256: Sha256,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN },
  });
  const body = JSON.stringify({ query: '{ listNotes { items { id } } }' });
  const signed = await signer.sign({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, 'content-type': 'application/json' }, body });
  const answer = await (await fetch(url, { method: 'POST', headers: signed.headers, body })).json();
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return 'notes: ' + answer.data.listNotes.items.length;
};
`;

void describe('a function given access to a pushed GraphQL API calls it with its own role (built binary, local cloud)', () => {
  const project = useProject('forte-api-fn-access-', 'notesapp', { auth: identityPoolAuthRequest({ guests: false }) });

  void it('the next push makes its role an admin role of the API, whose files did not change', async () => {
    const api = await project.forte(
      ['add', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: {
          serviceName: 'AppSync',
          apiName: 'notesapi',
          transformSchema: 'type Note @model @auth(rules: [{ allow: private, provider: iam }]) { id: ID! text: String }',
          defaultAuthType: { mode: 'AWS_IAM' },
        },
      }),
    );
    assert.equal(api.code, 0, api.stderr + api.stdout);
    const first = await project.forte(['push', '--yes']);
    assert.equal(first.code, 0, first.stdout + first.stderr);

    // Later, as in Amplify's walkthrough: a function with access to the API's queries.
    const fn = await project.forte(['add', 'function', '--headless'], JSON.stringify({ name: 'reader', permissions: { api: { notesapi: ['Query'] } } }));
    assert.equal(fn.code, 0, fn.stderr + fn.stdout);
    const template = join(project.root, 'amplify/backend/function/reader/reader-cloudformation-template.json');
    writeFileSync(template, readFileSync(template, 'utf8').replace(/nodejs\d+\.x/g, `nodejs${process.versions.node.split('.')[0]}.x`));
    writeFileSync(join(project.root, 'amplify/backend/function/reader/src/index.js'), READER);
    const status = await project.forte(['status']);
    // No file of the API changed, but its admin roles did: the status says it is to be updated.
    assert.match(status.stdout, /Api\s*│\s*notesapi\s*│\s*Update/, status.stdout);

    const second = await project.forte(['push', '--yes']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const event = join(project.work, 'event.json');
    writeFileSync(event, '{}');
    const invoke = await project.forte(['function', 'invoke', 'reader', '--event', event]);
    assert.equal(invoke.code, 0, invoke.stdout + invoke.stderr);
    assert.match(invoke.stdout, /notes: 0/, invoke.stdout + invoke.stderr);
  });
});
