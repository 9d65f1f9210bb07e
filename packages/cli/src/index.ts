export { runCli, EXIT } from './run-cli.js';
export { parseArgs, resolveCommand, jsonFlag } from './parse-args.js';
export { boxTable } from './box-table.js';
