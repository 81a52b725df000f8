/**
 * The shapes every aggregate shares: commands and events are readonly `{ type, data }`
 * objects whose `type` is the persisted name.
 */

export interface Command<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
}

export interface Event<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
}

/** An event as the deciders see it when folding a stream: with its valid time. */
export type Effective<E> = E & { readonly effectiveAt: Date };

/** What every command may carry besides its own input. */
export interface CommandOptions {
  /** The version of the addressed stream the caller last saw. */
  readonly expectedVersion?: number;
  /** When the fact took effect; absent means at the moment of recording. */
  readonly effectiveAt?: Date;
}

/** What a decision needs from outside the command: the clock, read by the caller. */
export interface DecisionTime {
  readonly now: Date;
}

export interface Decision<E> {
  readonly events: readonly E[];
  /** The resolved valid time of the events; absent means at the moment of recording. */
  readonly effectiveAt: Date | undefined;
}

/** Every stream's state tracks how many events it holds and its latest valid time. */
export interface StreamState {
  readonly version: number;
  readonly latestEffectiveAt: Date | undefined;
}

export const emptyStream: StreamState = { version: 0, latestEffectiveAt: undefined };

export function advance<S extends StreamState>(state: S, effectiveAt: Date): S {
  return Object.assign({}, state, { version: state.version + 1, latestEffectiveAt: effectiveAt });
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
