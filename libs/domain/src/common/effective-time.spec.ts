import { NOW, MINUTE, at, expectRule, plus } from './decider-spec-helpers';
import { CLOCK_SKEW_MS, resolveEffectiveTime } from './effective-time';

describe('resolveEffectiveTime', () => {
  const latest = at('2026-03-01T09:00:00Z');

  it('allows a clock skew of five minutes', () => {
    expect(CLOCK_SKEW_MS).toBe(5 * MINUTE);
  });

  it('resolves an absent effectiveAt to the moment of recording (undefined)', () => {
    expect(resolveEffectiveTime(undefined, NOW, [latest])).toBeUndefined();
  });

  it.each([
    ['1 ms', 1],
    ['2 minutes', 2 * MINUTE],
    ['exactly 5 minutes', 5 * MINUTE],
  ])('resolves a time %s ahead of the clock to the moment of recording', (_, ahead) => {
    expect(resolveEffectiveTime(plus(NOW, ahead), NOW, [latest])).toBeUndefined();
  });

  it.each([
    ['5 minutes and 1 ms', 5 * MINUTE + 1],
    ['6 minutes', 6 * MINUTE],
    ['a year', 365 * 24 * 60 * MINUTE],
  ])('refuses a time %s ahead with EFFECTIVE_TIME_IN_FUTURE', (_, ahead) => {
    expectRule(() => resolveEffectiveTime(plus(NOW, ahead), NOW, []), 'EFFECTIVE_TIME_IN_FUTURE');
  });

  it('keeps a time equal to the clock', () => {
    expect(resolveEffectiveTime(new Date(NOW), NOW, [latest])).toEqual(NOW);
  });

  it('allows backdating after the history', () => {
    const backdated = at('2026-04-15T08:00:00Z');
    expect(resolveEffectiveTime(backdated, NOW, [latest])).toEqual(backdated);
  });

  it('allows a time equal to the latest effective time', () => {
    expect(resolveEffectiveTime(new Date(latest), NOW, [latest])).toEqual(latest);
  });

  it('refuses a time before the history with EFFECTIVE_TIME_BEFORE_HISTORY', () => {
    expectRule(
      () => resolveEffectiveTime(plus(latest, -1), NOW, [latest]),
      'EFFECTIVE_TIME_BEFORE_HISTORY',
    );
  });

  it('checks every bound, ignoring the undefined ones', () => {
    const registration = at('2026-04-01T00:00:00Z');
    const between = at('2026-03-15T00:00:00Z');
    expectRule(
      () => resolveEffectiveTime(between, NOW, [undefined, latest, registration]),
      'EFFECTIVE_TIME_BEFORE_HISTORY',
    );
    expect(resolveEffectiveTime(between, NOW, [undefined, latest])).toEqual(between);
  });

  it('checks the future before the history', () => {
    expectRule(
      () => resolveEffectiveTime(plus(NOW, 10 * MINUTE), NOW, [plus(NOW, 20 * MINUTE)]),
      'EFFECTIVE_TIME_IN_FUTURE',
    );
  });
});
