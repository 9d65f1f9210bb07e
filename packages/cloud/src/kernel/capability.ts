/**
 * A named, typed thing one service gives others (a table engine, a token verifier, policy sources) without
 * either importing the other. `Provided` is what a provider gives; `Value` is what `kernel.capability()`
 * answers: the one provider's value, or every provider's value in a list (`defineCapabilityList`).
 */
export interface Capability<Provided, Value = Provided> {
  readonly name: string;
  /** Whether several services may provide it (the kernel then answers all of them, in registration order). */
  readonly multiple: boolean;
  /** The built-in service that provides it, named in the start-up error when none does. */
  readonly providedBy: string | undefined;
  /** Type carriers only: never set. */
  readonly _provided?: Provided;
  readonly _value?: Value;
}

/** Any capability, as a service's `requires` lists them. */
export type AnyCapability = Capability<unknown, unknown>;

/** A value given for a capability, as a service's `provides` lists them; made by `provide`. */
export interface ProvidedCapability {
  readonly capability: AnyCapability;
  readonly value: unknown;
}

/** A capability exactly one service provides; `kernel.capability(it)` answers its value. */
export function defineCapability<T>(name: string, options: { providedBy?: string } = {}): Capability<T> {
  return { name, multiple: false, providedBy: options.providedBy };
}

/** A capability any number of services provide (none included); `kernel.capability(it)` answers them all. */
export function defineCapabilityList<T>(name: string, options: { providedBy?: string } = {}): Capability<T, readonly T[]> {
  return { name, multiple: true, providedBy: options.providedBy };
}

/** One entry of a service's `provides`: `provide(TABLES, engine)`. */
export function provide<P>(capability: Capability<P, unknown>, value: NoInfer<P>): ProvidedCapability {
  return { capability, value };
}

/** A cloud whose services leave a required capability without a provider, or give a single one twice. */
export class CapabilityError extends Error {
  override readonly name = 'CapabilityError';
}
