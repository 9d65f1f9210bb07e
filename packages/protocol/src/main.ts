// What `import '@forte/protocol'` loads in node (package.json, "exports"): the package's modules, as tsc writes
// this file. `npm run build` replaces it with a loader of the same exports from dist/protocol.bundle.js (all of
// the package and zod in one file; scripts/bundle-bins.mjs), which the CLI and the plugins it imports share.
export * from './index.js';
