export * from './template.js';
export * from './errors.js';
export * from './control-api.js';
export * from './hosting-api.js';
export * from './project-files.js';
export * from './plugin.js';
export * from './cli-files.js';
export * from './auth-resources.js';
