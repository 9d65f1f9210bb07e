import { lazy, useState, type ComponentType } from 'react';

/** A page loaded in its own chunk: the component to render, and a way to start loading it before it is rendered. */
export interface LazyPage<P extends object> {
  Page: ComponentType<P>;
  preload(): Promise<unknown>;
}

/**
 * A page in its own chunk, like `React.lazy`, but one whose chunk was preloaded renders at once: React 19 shows a
 * Suspense boundary's content no sooner than 300 ms after its fallback appeared (FALLBACK_THROTTLE_MS), so a page
 * that suspends even on a chunk already on its way pays those 300 ms. A page mounted before its chunk arrived stays
 * the lazy one (its state is kept when the chunk comes).
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): LazyPage<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const preload = (): Promise<ComponentType<P>> =>
    (loading ??= load().then(
      (page) => (loaded = page),
      (error: unknown) => {
        loading = undefined; // a chunk that failed to load is asked for again next time
        throw error;
      },
    ));
  const Lazy = lazy(() => preload().then((page) => ({ default: page })));
  function Page(props: P) {
    const [Shown] = useState<ComponentType<P>>(() => loaded ?? Lazy);
    return <Shown {...props} />;
  }
  return { Page, preload };
}
