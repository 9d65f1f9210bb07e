import type { Kernel, Service } from '../../kernel/types.js';

/** Placeholder until the service lands: no routes, no resource types. */
export function createIamService(kernel: Kernel): Service {
  void kernel;
  return { name: 'iam', routes: [] };
}
