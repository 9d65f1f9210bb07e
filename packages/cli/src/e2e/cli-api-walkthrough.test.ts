import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initProject, removeProject, runForteInTerminal } from './forte-runner.js';

void describe('add api and the first push in a terminal: the default mode, editing the schema, the codegen questions', () => {
  let work: string;
  let home: string;
  let root: string;
  const file = (path: string): string => readFileSync(join(root, path), 'utf8');
  before(async () => {
    ({ work, home, root } = await initProject('forte-api-walk-', 'walkapp'));
  });
  after(() => removeProject({ work, home }));

  void it('`add api` shows which authorization mode is the default, then opens the schema in $EDITOR and checks it', async () => {
    // An editor that writes the schema the user would type, then exits.
    const editor = join(work, 'edit-schema.sh');
    writeFileSync(editor, '#!/bin/sh\nprintf \'type Note @model @auth(rules: [{ allow: public }]) { id: ID! text: String! }\\n\' > "$1"\n');
    chmodSync(editor, 0o755);
    const { code, screen } = await runForteInTerminal(['add', 'api'], { cwd: root, home, env: { EDITOR: editor, VISUAL: '' } }, [
      [/Select from one of the below mentioned services/, '\r'],
      [/Select a setting to edit or\s+continue/, '\r'],
      [/Choose a schema template/, '\r'],
      [/Do you want to edit the schema now\? \(Y\/n\)/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    assert.match(screen, /Authorization modes: API key \(default, expiration time: 7 days from now\)/);
    assert.match(screen, /The edited schema compiles\./);
    assert.equal(file('amplify/backend/api/walkapp/schema.graphql'), 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! text: String! }\n');
  });

  void it("the first push of the API asks Amplify's codegen questions after the deployment and generates the statements", async () => {
    const { code, screen } = await runForteInTerminal(['push'], { cwd: root, home }, [
      [/Are you sure you want to continue\?/, '\r'],
      [/Do you want to generate code for your newly created GraphQL API/, '\r'],
      [/Choose the code generation language target/, '\r'],
      [/Enter the file name pattern of graphql queries/, '\r'],
      [/Do you want to generate\/update all possible GraphQL operations/, '\r'],
      [/Enter maximum statement depth/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    assert.ok(
      screen.indexOf('All resources are updated in the cloud') < screen.indexOf('Do you want to generate code for your newly created GraphQL API'),
      'asked once the push succeeded',
    );
    assert.match(file('.graphqlconfig.yml'), /codeGenTarget: javascript/);
    assert.match(file('src/graphql/mutations.js'), /export const createNote = /);
    assert.ok(existsSync(join(root, 'src/graphql/queries.js')));
  });
});
