/**
 * The time the API reads: when a command is decided, and "now" for the read model. Injected
 * so that time-dependent behaviour is tested with a clock the test sets, not by waiting.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('Clock');

export const systemClock: Clock = { now: () => new Date() };
