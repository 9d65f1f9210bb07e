import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The bootstrap is a file of its own (it runs under the function's Node.js, in another process), copied next
// to the compiled runtime by the build. The cloud runs either from tsc's output, where this module sits
// beside it, or from the bundle in dist/bundle/, one level below dist/.
const CANDIDATES = ['./bootstrap.cjs', '../services/lambda/runtime/bootstrap.cjs'];

/** The path of the function processes' bootstrap script, for the module (or bundle) at `moduleUrl`. */
export function locateBootstrap(moduleUrl: string): string {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, moduleUrl));
    if (existsSync(path)) return path;
  }
  throw new Error(`The function bootstrap (bootstrap.cjs) is missing next to ${fileURLToPath(moduleUrl)}: run \`npm run build\`, which copies it to dist.`);
}
