import { UserError, type PluginContext } from '@forte/protocol';
import type { ApiConfig, AuthMode, AuthModeName } from './api-config.js';
import { projectFunctions } from './rest-resource.js';

const MODE_NAMES: Record<AuthModeName, string> = {
  API_KEY: 'API key',
  AMAZON_COGNITO_USER_POOLS: 'Amazon Cognito User Pool',
  AWS_IAM: 'IAM',
  OPENID_CONNECT: 'OpenID Connect',
  AWS_LAMBDA: 'Lambda',
};

/**
 * The "Authorization modes" line of the settings loop, as Amplify writes it: the default mode first, marked
 * `(default)` (an API key with its expiry: `API key (default, expiration time: 7 days from now)`), then the
 * additional modes by name.
 */
export function describeModes(config: Pick<ApiConfig, 'defaultAuthType' | 'additionalAuthTypes'>): string {
  const first = config.defaultAuthType;
  const marked =
    first.mode === 'API_KEY'
      ? `${MODE_NAMES.API_KEY} (default, expiration time: ${first.expirationTime} days from now)`
      : `${MODE_NAMES[first.mode]} (default)`;
  return [marked, ...config.additionalAuthTypes.map((m) => MODE_NAMES[m.mode])].join(', ');
}

function describeConflicts(config: ApiConfig): string {
  const type = config.conflictResolution?.defaultResolutionStrategy?.type;
  return !type || type === 'NONE' ? 'Disabled' : `Enabled (${type})`;
}

/** The questions of one authorization mode (its settings), as Amplify asks them. */
async function askMode(ctx: PluginContext, mode: AuthModeName, hasAuth: boolean): Promise<AuthMode> {
  switch (mode) {
    case 'API_KEY': {
      const keyDescription = await ctx.prompt.input({ message: 'Enter a description for the API key:', default: '' });
      const days = await ctx.prompt.input({
        message: 'After how many days from now the API key should expire (1-365):',
        default: '7',
        validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 365 ? true : 'Enter a number of days from 1 to 365.'),
      });
      return { mode, expirationTime: Number(days), ...(keyDescription ? { keyDescription } : {}) };
    }
    case 'AMAZON_COGNITO_USER_POOLS':
      if (!hasAuth)
        throw new UserError(
          'Amazon Cognito User Pool authorization needs an auth resource, and this project has none.',
          'Add one with `forte add auth`, then add the API.',
        );
      return { mode };
    case 'AWS_IAM':
      return { mode };
    case 'OPENID_CONNECT':
      return {
        mode,
        openIDProviderName: await ctx.prompt.input({
          message: 'Enter a name for the OpenID Connect provider:',
          validate: (v) => (v ? true : 'A name is required.'),
        }),
        openIDIssuerURL: await ctx.prompt.input({
          message: 'Enter the OpenID Connect provider domain (Issuer URL):',
          validate: (v) => (/^https?:\/\//.test(v) ? true : 'Enter a URL (https://…).'),
        }),
        openIDClientID: await ctx.prompt.input({ message: 'Enter the Client Id from your OpenID Client Connect application (optional):', default: '' }),
        openIDIatTTL: await ctx.prompt.input({ message: 'Enter the number of milliseconds a token is valid after being issued to a user:', default: '0' }),
        openIDAuthTTL: await ctx.prompt.input({ message: 'Enter the number of milliseconds a token is valid after being authenticated:', default: '0' }),
      };
    case 'AWS_LAMBDA': {
      // Amplify's questions: a new authorizer function (its lambda-auth template) or one of the project's; either
      // way the function category lets AppSync invoke it.
      const functions = Object.entries(ctx.project().readBackendConfig().function ?? {})
        .filter(([, r]) => r.service === 'Lambda')
        .map(([name]) => name);
      const choices = [{ name: 'Create a new Lambda function', value: 'newFunction' as const }];
      if (functions.length > 0) choices.push({ name: 'Use a Lambda function already added in the current Amplify project', value: 'projectFunction' as never });
      const source = await ctx.prompt.select<'newFunction' | 'projectFunction'>({
        message: 'Choose a Lambda authorization function',
        choices,
        default: 'newFunction',
      });
      if (!ctx.invokePluginMethod)
        throw new UserError(
          'Lambda authorization needs the forte CLI here (it enters the function category).',
          'Run `forte add api` or `forte update api` from the forte CLI.',
        );
      let lambdaFunction: string;
      if (source === 'newFunction') {
        lambdaFunction = await ctx.invokePluginMethod<string>('function', 'addLambdaAuthorizerFunction', []);
      } else {
        lambdaFunction = await ctx.prompt.select({
          message: 'Choose one of the Lambda functions',
          choices: functions.map((f) => ({ name: f, value: f })),
          default: functions[0]!,
        });
        await ctx.invokePluginMethod('function', 'addAppSyncInvokeMethodPermission', [lambdaFunction]);
      }
      const ttlSeconds = await ctx.prompt.input({
        message: 'How long should the authorization response be cached in seconds?',
        default: '300',
        validate: (v) => (/^\d+$/.test(v) && Number(v) <= 3600 ? true : 'Enter a number of seconds from 0 to 3600.'),
      });
      return { mode, lambdaFunction, ttlSeconds };
    }
  }
}

async function askAuthModes(ctx: PluginContext, config: ApiConfig, hasAuth: boolean): Promise<void> {
  const all = Object.keys(MODE_NAMES) as AuthModeName[];
  const defaultMode = await ctx.prompt.select<AuthModeName>({
    message: 'Choose the default authorization type for the API',
    choices: all.map((value) => ({ name: MODE_NAMES[value], value })),
    default: config.defaultAuthType.mode,
  });
  config.defaultAuthType = await askMode(ctx, defaultMode, hasAuth);
  config.additionalAuthTypes = [];
  if (await ctx.prompt.confirm({ message: 'Configure additional auth types?', default: false })) {
    for (const mode of all.filter((m) => m !== defaultMode)) {
      if (await ctx.prompt.confirm({ message: `Also accept ${MODE_NAMES[mode]}?`, default: false }))
        config.additionalAuthTypes.push(await askMode(ctx, mode, hasAuth));
    }
  }
}

async function askConflicts(ctx: PluginContext, config: ApiConfig): Promise<void> {
  if (!(await ctx.prompt.confirm({ message: 'Enable conflict detection?', default: false }))) {
    delete config.conflictResolution;
    return;
  }
  const type = await ctx.prompt.select<'AUTOMERGE' | 'OPTIMISTIC_CONCURRENCY' | 'LAMBDA'>({
    message: 'Select the default resolution strategy',
    choices: [
      { name: 'Auto Merge', value: 'AUTOMERGE' },
      { name: 'Optimistic Concurrency', value: 'OPTIMISTIC_CONCURRENCY' },
      { name: 'Custom Lambda', value: 'LAMBDA' },
    ],
    default: 'AUTOMERGE',
  });
  if (type !== 'LAMBDA') {
    config.conflictResolution = { defaultResolutionStrategy: { type } };
    return;
  }
  // Amplify's "Custom Lambda": the handler is one of the project's functions (a new one is added with `forte add function` first).
  const functions = projectFunctions(ctx.project());
  if (functions.length === 0)
    throw new UserError(
      "A Custom Lambda conflict handler is one of the project's functions, and the project has none.",
      'Add the handler with `forte add function` (it answers RESOLVE, REJECT or REMOVE), then choose Custom Lambda again.',
    );
  const name = await ctx.prompt.select({
    message: 'Choose the Lambda function that resolves conflicts',
    choices: functions.map((f) => ({ name: f, value: f })),
    default: functions[0]!,
  });
  config.conflictResolution = { defaultResolutionStrategy: { type, resolver: { type: 'EXISTING', name } } };
}

/**
 * Amplify's settings loop: "Here is the GraphQL API that we will create. Select a setting to edit or
 * continue" — name, authorization modes, conflict detection — until Continue (the `--yes` answer).
 */
export async function askApiSettings(ctx: PluginContext, config: ApiConfig, options: { hasAuth: boolean; canRename: boolean }): Promise<void> {
  for (;;) {
    const modes = describeModes(config);
    const choice = await ctx.prompt.select<'name' | 'auth' | 'conflicts' | 'continue'>({
      message: 'Here is the GraphQL API that we will create. Select a setting to edit or continue',
      choices: [
        ...(options.canRename ? [{ name: `Name: ${config.apiName}`, value: 'name' as const }] : []),
        { name: `Authorization modes: ${modes}`, value: 'auth' },
        { name: `Conflict detection (required for DataStore): ${describeConflicts(config)}`, value: 'conflicts' },
        { name: 'Continue', value: 'continue' },
      ],
      default: 'continue',
    });
    if (choice === 'continue') return;
    if (choice === 'name') {
      config.apiName = await ctx.prompt.input({
        message: 'Provide API name:',
        default: config.apiName,
        validate: (v) => (/^[A-Za-z0-9]+$/.test(v) ? true : 'Use letters and digits only.'),
      });
    } else if (choice === 'auth') {
      await askAuthModes(ctx, config, options.hasAuth);
    } else {
      await askConflicts(ctx, config);
    }
  }
}
