import type { ServiceFactory } from './types.js';

/**
 * A service that, put first in `createCloud({ services })`, records the migrations every later service asks for,
 * in their order (scripts/make-new-database.mjs runs them into the build's new-database file; a test compares
 * them with what a new database is given). It serves nothing.
 */
export function migrationRecorder(): { service: ServiceFactory; recorded: [namespace: string, migrations: readonly string[]][] } {
  const recorded: [string, readonly string[]][] = [];
  const service: ServiceFactory = (kernel) => {
    const migrate = kernel.sql.migrate.bind(kernel.sql);
    kernel.sql.migrate = (namespace, migrations) => {
      recorded.push([namespace, [...migrations]]);
      return migrate(namespace, migrations);
    };
    return { name: 'migration-recorder', routes: [] };
  };
  return { service, recorded };
}
