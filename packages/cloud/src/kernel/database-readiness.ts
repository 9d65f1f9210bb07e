/** What the readiness check (`/_forte/ready`) answers: ready, or not and why. */
export type Readiness = { ready: true } | { ready: false; reason: string };

export interface DatabaseReadinessOptions {
  /** One round trip to the database (`SELECT 1`); resolves when it answered. */
  probe: () => Promise<unknown>;
  /** How long a success is trusted without asking again; default 1 s. */
  trustMs?: number;
  /** How long a probe may take before the database counts as not answering; default 2 s. */
  timeoutMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

/**
 * The database's part of the readiness check. One probe at a time, its answer shared by the checks that
 * arrive meanwhile, and a success trusted for `trustMs`: a balancer's frequent checks (or many balancers'
 * checks at once) add no load to a busy database. A failure is never trusted: the next check probes again,
 * so an instance is taken out within `timeoutMs` of its database going away and back once it answers again.
 */
export function createDatabaseReadiness(options: DatabaseReadinessOptions): () => Promise<Readiness> {
  const trustMs = options.trustMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const now = options.now ?? Date.now;
  let answeredAt: number | undefined;
  let inFlight: Promise<Readiness> | undefined;
  return () => {
    if (answeredAt !== undefined && now() - answeredAt < trustMs) return Promise.resolve({ ready: true });
    inFlight ??= withTimeout(options.probe(), timeoutMs, `the database did not answer within ${timeoutMs / 1000} s`)
      .then(
        (): Readiness => ((answeredAt = now()), { ready: true }),
        (error: unknown): Readiness => (
          (answeredAt = undefined),
          { ready: false, reason: `database: ${error instanceof Error ? error.message : String(error)}` }
        ),
      )
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
