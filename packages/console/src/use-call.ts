import { useCallback, useEffect, useState } from 'react';

/** What a page loaded: the answer, or the error that stopped it, and a way to load it again. */
export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

const sameValues = (a: readonly unknown[] | undefined, b: readonly unknown[]): boolean =>
  a !== undefined && a.length === b.length && a.every((value, i) => Object.is(value, b[i]));

/**
 * Loads `call()` when the page shows and whenever `deps` change; a newer load wins over an older one. `loading`
 * holds from the render in which `deps` change (before the load has even started) until the load for them has
 * answered, so nothing is shown as the answer for the new `deps` while `data` is still the old one.
 */
export function useCall<T>(call: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean; answered?: readonly unknown[] }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const key = [...deps, generation];
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    call().then(
      (data) => current && setState({ data, error: undefined, loading: false, answered: key }),
      (error: unknown) =>
        current && setState({ data: undefined, error: error instanceof Error ? error : new Error(String(error)), loading: false, answered: key }),
    );
    return () => {
      current = false;
    };
  }, key);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading || !sameValues(state.answered, key), reload };
}
