import { RuleViolationError } from './errors';

/** How far ahead of the server's clock a client's clock may run. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Resolves the valid time of a command (step 5 of the command order).
 *
 * Returns undefined when the fact takes effect at the moment of recording: when none was
 * given, or when the given one lies ahead of the clock by no more than the allowed skew.
 * Such a time follows everything already recorded, so it needs no further check.
 *
 * @param notBefore the latest valid time of the addressed stream and the registration or
 *   founding times of every referenced organisation and group.
 */
export function resolveEffectiveTime(
  requested: Date | undefined,
  now: Date,
  notBefore: readonly (Date | undefined)[],
): Date | undefined {
  if (requested === undefined) return undefined;
  const ahead = requested.getTime() - now.getTime();
  if (ahead > CLOCK_SKEW_MS) {
    throw new RuleViolationError(
      'EFFECTIVE_TIME_IN_FUTURE',
      `effectiveAt ${requested.toISOString()} lies more than 5 minutes after the server's clock`,
    );
  }
  if (ahead > 0) return undefined;
  for (const earliest of notBefore) {
    if (earliest !== undefined && requested.getTime() < earliest.getTime()) {
      throw new RuleViolationError(
        'EFFECTIVE_TIME_BEFORE_HISTORY',
        `effectiveAt ${requested.toISOString()} precedes ${earliest.toISOString()}, already recorded`,
      );
    }
  }
  return requested;
}
