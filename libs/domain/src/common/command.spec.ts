import { advance, assertNever, emptyStream } from './command';
import { at } from './decider-spec-helpers';

describe('advance', () => {
  it('counts the event and tracks its effective time, leaving the old state alone', () => {
    const first = advance(emptyStream, at('2026-01-01T00:00:00Z'));
    const second = advance(first, at('2026-02-01T00:00:00Z'));

    expect(first).toEqual({ version: 1, latestEffectiveAt: at('2026-01-01T00:00:00Z') });
    expect(second).toEqual({ version: 2, latestEffectiveAt: at('2026-02-01T00:00:00Z') });
    expect(emptyStream).toEqual({ version: 0, latestEffectiveAt: undefined });
  });
});

describe('assertNever', () => {
  it('throws for a case the switch forgot', () => {
    expect(() => assertNever('Unexpected' as never)).toThrow(Error);
  });
});
