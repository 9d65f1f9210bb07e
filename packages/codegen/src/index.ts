import { UserError, type PluginContext } from '@forte/protocol';

export { handlePostPush } from './codegen-post-push.js';
export { GRAPHQL_CONFIG_FILE, readGraphqlConfig, type CodegenProject, type GraphqlConfig } from './graphql-config.js';

const ALIASES: Record<string, string> = { update: 'configure', statement: 'statements', model: 'models' };

/** Runs `forte codegen [command]` (`forte codegen` alone regenerates statements and types, as in Amplify). */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'codegen';
  // The generators load in seconds: only commands that generate pay for them (and not every push's PostPush).
  const { addCodegen, configureCodegen, generateModelFiles, regenerate, removeCodegen } = await import('./codegen-commands.js');
  switch (ALIASES[command] ?? command) {
    case 'codegen':
      return regenerate(ctx, { statements: true, types: true });
    case 'add':
      return addCodegen(ctx);
    case 'configure':
      return configureCodegen(ctx);
    case 'remove':
      return removeCodegen(ctx);
    case 'statements':
      return regenerate(ctx, { statements: true, types: false });
    case 'types':
      return regenerate(ctx, { statements: false, types: true });
    case 'models':
      return generateModelFiles(ctx, { introspection: false });
    case 'model-introspection':
      return generateModelFiles(ctx, { introspection: true });
    case 'help':
      printHelp(ctx);
      return;
    default:
      throw new UserError(`codegen has no command ${command}.`, 'See the commands with `forte codegen help`.');
  }
}

function printHelp(ctx: PluginContext): void {
  ctx.print.info('forte codegen [command]');
  ctx.print.info('  (none)               Generates the GraphQL statements and types configured in .graphqlconfig.yml.');
  ctx.print.info('  add                  Asks the language, statement files, depth and types file; writes .graphqlconfig.yml and generates.');
  ctx.print.info('  configure            Changes those settings (alias: update) and generates again.');
  ctx.print.info('  remove               Removes the API from .graphqlconfig.yml (generated files stay).');
  ctx.print.info('  statements           Generates queries, mutations and subscriptions [--maxDepth N].');
  ctx.print.info('  types                Generates the types file (src/API.ts) from the statements.');
  ctx.print.info(
    '  models               Generates DataStore models [--target javascript|typescript|android|ios|flutter|introspection] [--output-dir D] [--model-schema P].',
  );
  ctx.print.info('  model-introspection  Writes model-introspection.json (for aws-amplify v6 generateClient) [--output-dir D].');
  ctx.print.info("The statements and types read the API's compiled schema (amplify/backend/api/<name>/build/schema.graphql):");
  ctx.print.info('run `forte api gql-compile` or `forte push` first.');
}
