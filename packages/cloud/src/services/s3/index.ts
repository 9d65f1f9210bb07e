import type { Kernel, Service } from '../../kernel/types.js';

/** Placeholder until the service lands: no routes, no resource types. */
export function createS3Service(kernel: Kernel): Service {
  void kernel;
  return { name: 's3', routes: [] };
}
