import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forteAmplifyConfig, type AmplifyOutputs } from '@forte/amplify';
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { confirmSignUp, signIn, signUp } from 'aws-amplify/auth';
import { runForte } from './forte-runner.js';

/**
 * aws-amplify configured as an app configures it: from the project's amplify_outputs.json through
 * @forte/amplify (the cloud's endpoint is the one `forte push` wrote into the outputs). These suites
 * open no subscription, so @forte/amplify's `configure()` (which also installs a WebSocket) is not needed.
 */
export function configureAmplifyFrom(root: string): ResourcesConfig {
  const config = forteAmplifyConfig(JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8')) as AmplifyOutputs);
  Amplify.configure(config);
  return config;
}

/** Signs a new user up, confirms them with the code from `forte mailbox` and signs them in. */
export async function signUpAndIn(email: string, project: { cwd: string; home: string }): Promise<void> {
  const password = 'Password-123';
  await signUp({ username: email, password, options: { userAttributes: { email } } });
  const mailbox = await runForte(['mailbox', '--json'], project);
  assert.equal(mailbox.code, 0, mailbox.stderr);
  const code = (JSON.parse(mailbox.stdout) as { to: string; code?: string }[]).find((m) => m.to === email)?.code;
  assert.match(code ?? '', /^\d{6}$/);
  await confirmSignUp({ username: email, confirmationCode: code! });
  assert.equal((await signIn({ username: email, password })).nextStep.signInStep, 'DONE');
}

/** The first error of a refused GraphQL call (aws-amplify rejects with `{data, errors}`); throws if it was allowed. */
export async function graphqlRefusal(call: Promise<unknown>): Promise<{ errorType?: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const errors = (error as { errors?: { errorType?: string; message: string }[] }).errors;
    assert.ok(errors?.[0], `a GraphQL error, got ${String(error)}`);
    return errors[0];
  }
  throw new Error('the call was allowed');
}
