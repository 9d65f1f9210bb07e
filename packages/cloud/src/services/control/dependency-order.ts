/**
 * Orders ids so that each comes after the ids it depends on (dependencies outside `ids` are ignored).
 * Answers the cycle instead when there is one, as the path `a → b → … → a`.
 */
export function orderByDependencies(ids: Iterable<string>, dependenciesOf: (id: string) => Iterable<string>): { order: string[] } | { cycle: string[] } {
  const all = new Set(ids);
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const seen = state.get(id);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of [...dependenciesOf(id)].sort()) {
      if (!all.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    order.push(id);
    return undefined;
  };
  for (const id of all) {
    const cycle = visit(id);
    if (cycle) return { cycle };
  }
  return { order };
}

/**
 * Runs `run` for every id once all its dependencies (within `ids`) have finished, at most `concurrency`
 * at a time. After the first failure nothing new starts; the ones running are awaited. Ids must be
 * acyclic (check with orderByDependencies first).
 */
export async function runInDependencyOrder(options: {
  ids: Iterable<string>;
  dependenciesOf: (id: string) => Iterable<string>;
  concurrency: number;
  run: (id: string) => Promise<void>;
}): Promise<{ failures: { id: string; error: unknown }[]; completed: string[] }> {
  const pending = new Set(options.ids);
  const deps = new Map<string, Set<string>>();
  for (const id of pending) deps.set(id, new Set([...options.dependenciesOf(id)].filter((d) => pending.has(d) && d !== id)));
  const completed: string[] = [];
  const failures: { id: string; error: unknown }[] = [];
  const running = new Set<Promise<void>>();
  const done = new Set<string>();
  while (failures.length === 0 && pending.size > 0) {
    const ready = [...pending].filter((id) => [...(deps.get(id) ?? [])].every((d) => done.has(d)));
    for (const id of ready) {
      if (running.size >= options.concurrency) break;
      pending.delete(id);
      const task: Promise<void> = options
        .run(id)
        .then(
          () => {
            done.add(id);
            completed.push(id);
          },
          (error: unknown) => {
            failures.push({ id, error });
          },
        )
        .finally(() => running.delete(task));
      running.add(task);
    }
    if (running.size === 0) break; // nothing runnable: only possible with a cycle
    await Promise.race(running);
  }
  await Promise.all(running);
  return { failures, completed };
}
