import type { Kernel, Service } from '../../kernel/types.js';

/** Placeholder until the service lands: no routes, no resource types. */
export function createHostingService(kernel: Kernel): Service {
  void kernel;
  return { name: 'hosting', routes: [] };
}
