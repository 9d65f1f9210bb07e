import { createFsBlobStore } from '../engines/fs-blobs/fs-blob-store.js';
import { createLocalBus } from '../engines/local-bus/local-bus.js';
import { createSqliteStore } from '../engines/sqlite/sqlite-store.js';
import { DEFAULT_CONNECTION_LIMITS } from './connection-guard.js';
import { createKernel, type KernelRuntime } from './create-kernel.js';
import { createLogger } from './logger.js';
import { createSecretBox } from './secret-box.js';
import type { CloudConfig } from './types.js';

/**
 * A kernel for the kernel's own tests: an in-memory database, no blob folder, its log lines pushed to
 * `logLines`. (Tests that need a whole cloud use `createCloud`, or @forte/testing outside this package.)
 */
export function createTestKernel(logLines: string[], level: 'debug' | 'info' = 'debug', config: Partial<CloudConfig> = {}): KernelRuntime {
  return createKernel({
    config: {
      dataDir: '/nonexistent',
      host: '127.0.0.1',
      port: 0,
      region: 'us-east-1',
      accountId: '123456789012',
      connectionLimits: { ...DEFAULT_CONNECTION_LIMITS },
      ...config,
    },
    sql: createSqliteStore(':memory:'),
    blobs: createFsBlobStore('/nonexistent/blobs'),
    bus: createLocalBus(),
    log: createLogger({ write: (line) => void logLines.push(line), level }),
    secrets: createSecretBox(Buffer.alloc(32, 7)),
  });
}
