import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeProject, runForteInTerminal } from './forte-runner.js';

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

void describe('forte init in a terminal: the name, the summary and "Initialize the project with the above configuration?"', () => {
  let work: string;
  let home: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'forte-init-tty-'));
    home = join(work, 'home');
  });
  after(() => removeProject({ work, home }));

  void it('in a terminal: the name, then the summary detected from the folder; Yes applies it without more questions', async () => {
    const root = join(work, 'tty-yes');
    mkdirSync(root);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'tty', dependencies: { vue: '^3.0.0' } }));
    const { code, screen } = await runForteInTerminal(['init'], { cwd: root, home }, [
      [/Enter a name for the project/, '\r'],
      [/Initialize the project with the above configuration\?/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    const summary = screen.replace(/\r/g, '');
    assert.match(
      summary,
      /\| Name: ttyyes\n\| Environment: dev\n\| Default editor: Visual Studio Code\n\| App type: javascript\n\| Javascript framework: vue\n\| Source Directory Path: src\n\| Distribution Directory Path: dist\n\| Build Command: npm run-script build\n\| Start Command: npm run-script serve\n/,
    );
    assert.doesNotMatch(screen, /What javascript framework are you using|Enter a name for the environment/);
    assert.match(summary, /Connected to the local Forte Cloud at http:\/\/127\.0\.0\.1:\d+/);
    const config = readJson(join(root, 'amplify', '.config', 'project-config.json')) as Record<string, unknown>;
    assert.equal(config['projectName'], 'ttyyes', 'the folder name tty-yes, normalised as Amplify does');
    assert.deepEqual(config['javascript'], {
      framework: 'vue',
      config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script serve' },
    });
    assert.deepEqual(readJson(join(root, 'amplify', '.config', 'local-env-info.json')), { projectPath: root, defaultEditor: 'vscode', envName: 'dev' });
  });

  void it("in a terminal: an invalid name is refused with the rule; No to the summary asks each of Amplify's questions", async () => {
    const root = join(work, 'tty');
    mkdirSync(root);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'tty', dependencies: { react: '^18.0.0' } }));
    const { code, screen } = await runForteInTerminal(['init'], { cwd: root, home }, [
      [/Enter a name for the project/, 'my-app\r'],
      [/Project name should be between 3 and 20 characters and alphanumeric/, '\x15ttyapp\r'],
      [/Initialize the project with the above configuration\?/, 'n\r'],
      [/Enter a name for the environment/, 'qa\r'],
      [/Choose your default editor:/, '\x1b[B\r'],
      [/Choose the type of app that you're building: javascript \(the only app type Forte supports/, ''],
      [/What javascript framework are you using/, '\r'],
      [/Source Directory Path/, '\r'],
      [/Distribution Directory Path/, 'out\r'],
      [/Build Command/, '\r'],
      [/Start Command/, '\r'],
    ]);
    assert.equal(code, 0, screen);
    const config = readJson(join(root, 'amplify', '.config', 'project-config.json')) as Record<string, unknown>;
    assert.equal(config['projectName'], 'ttyapp');
    assert.deepEqual(config['javascript'], {
      framework: 'react',
      config: { SourceDir: 'src', DistributionDir: 'out', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script start' },
    });
    assert.deepEqual(readJson(join(root, 'amplify', '.config', 'local-env-info.json')), { projectPath: root, defaultEditor: 'android-studio', envName: 'qa' });
    assert.ok((readJson(join(root, 'amplify', 'team-provider-info.json')) as Record<string, unknown>)['qa'], 'the qa environment exists in the cloud');
  });
});
