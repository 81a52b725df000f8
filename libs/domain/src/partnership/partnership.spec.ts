import { agreed, at, ended, extended, formed, given } from '../common/decider-spec-helpers';
import { evolvePartnership, initialPartnershipState } from './partnership';

describe('evolvePartnership', () => {
  it('starts unformed, at version 0', () => {
    expect(initialPartnershipState).toEqual({
      version: 0,
      latestEffectiveAt: undefined,
      formed: false,
      ended: false,
      intendedEndAt: undefined,
      partyIds: new Set(),
      arrangementIds: new Set(),
      interventionIds: new Set(),
    });
  });

  it('tracks formation, arrangements, extensions and the end', () => {
    const states = [
      formed('p1', at('2026-03-01T00:00:00Z'), at('2027-03-01T00:00:00Z')),
      agreed('p1', 'a1', at('2026-03-02T00:00:00Z')),
      agreed('p1', 'a2', at('2026-03-03T00:00:00Z')),
      extended(
        'p1',
        at('2026-03-04T00:00:00Z'),
        at('2027-03-01T00:00:00Z'),
        at('2028-03-01T00:00:00Z'),
      ),
      ended('p1', at('2026-03-05T00:00:00Z')),
    ].map((_, index, events) =>
      given(evolvePartnership, initialPartnershipState, ...events.slice(0, index + 1)),
    );

    expect(states.map((state) => [state.version, state.latestEffectiveAt])).toEqual([
      [1, at('2026-03-01T00:00:00Z')],
      [2, at('2026-03-02T00:00:00Z')],
      [3, at('2026-03-03T00:00:00Z')],
      [4, at('2026-03-04T00:00:00Z')],
      [5, at('2026-03-05T00:00:00Z')],
    ]);
    expect(states.map((state) => [state.formed, state.ended])).toEqual([
      [true, false],
      [true, false],
      [true, false],
      [true, false],
      [true, true],
    ]);
    expect(states.map((state) => state.intendedEndAt)).toEqual([
      at('2027-03-01T00:00:00Z'),
      at('2027-03-01T00:00:00Z'),
      at('2027-03-01T00:00:00Z'),
      at('2028-03-01T00:00:00Z'),
      at('2028-03-01T00:00:00Z'),
    ]);
    expect(states.map((state) => [...state.arrangementIds])).toEqual([
      [],
      ['a1'],
      ['a1', 'a2'],
      ['a1', 'a2'],
      ['a1', 'a2'],
    ]);
  });
});
