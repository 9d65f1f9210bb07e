import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findHooks, hookNames, runHooks } from './hooks.js';

const root = mkdtempSync(join(tmpdir(), 'forte-hooks-'));
const hooks = join(root, 'amplify', 'hooks');
mkdirSync(hooks, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));
const event = { command: 'push', subCommand: 'hosting', argv: ['push', 'hosting'], environment: { envName: 'dev', projectPath: root } };

void describe('hooks', () => {
  void it('names pre-<cmd> then pre-<cmd>-<sub>', () => {
    assert.deepEqual(hookNames('pre', { command: 'push', subCommand: 'api' }), ['pre-push', 'pre-push-api']);
    assert.deepEqual(hookNames('post', { command: 'checkout', subCommand: 'env' }), ['post-checkout', 'post-checkout-env']);
  });

  void it('runs js and sh hooks in the project folder with the event on stdin and only PATH set', async () => {
    writeFileSync(
      join(hooks, 'pre-push.js'),
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>require("fs").writeFileSync("js.json",JSON.stringify({s:JSON.parse(s),env:Object.keys(process.env)})))',
    );
    writeFileSync(join(hooks, 'pre-push-hosting.sh'), 'cat > sh.json');
    await runHooks(root, 'pre', event);
    const js = JSON.parse(readFileSync(join(root, 'js.json'), 'utf8')) as {
      s: { data: { amplify: { command: string; subCommand: string; environment: { envName: string } } } };
      env: string[];
    };
    assert.equal(js.s.data.amplify.command, 'push');
    assert.equal(js.s.data.amplify.subCommand, 'hosting');
    assert.equal(js.s.data.amplify.environment.envName, 'dev');
    assert.ok(!js.env.includes('FORTE_HOME') && !js.env.includes('HOME'));
    assert.match(readFileSync(join(root, 'sh.json'), 'utf8'), /"command":"push"/);
  });

  void it('a failing hook is an error naming it; duplicate extensions are refused', async () => {
    writeFileSync(join(hooks, 'post-push.sh'), 'exit 4');
    await assert.rejects(runHooks(root, 'post', event), /post-hook amplify\/hooks\/post-push\.sh failed with exit code 4/);
    writeFileSync(join(hooks, 'post-push.js'), '');
    assert.throws(() => findHooks(hooks, ['post-push']), /more than one hook named post-push/);
  });
});
