import { at, dissolved, founded, given, joined, left } from '../common/decider-spec-helpers';
import { evolveGroup, initialGroupState, isDissolvedAt, isFounded, isMemberAt } from './group';

describe('evolveGroup', () => {
  it('starts unfounded, without members, at version 0', () => {
    expect(isFounded(initialGroupState)).toBe(false);
    expect(initialGroupState.version).toBe(0);
    expect(initialGroupState.latestEffectiveAt).toBeUndefined();
    expect(initialGroupState.members.size).toBe(0);
  });

  it('founds at the effective time, tracks members and their positions', () => {
    const state = given(
      evolveGroup,
      initialGroupState,
      founded('g1', at('2026-02-01T00:00:00Z')),
      joined('g1', 'acme', 'CORE', at('2026-02-02T00:00:00Z')),
      joined('g1', 'globex', 'RING', at('2026-02-03T00:00:00Z')),
      {
        type: 'PositionChanged',
        data: {
          groupId: 'g1',
          organizationId: 'globex',
          position: 'FREE_SPACE',
          previousPosition: 'RING',
          reason: null,
        },
        effectiveAt: at('2026-02-04T00:00:00Z'),
      },
      left('g1', 'acme', at('2026-02-05T00:00:00Z')),
    );

    expect(state.foundedAt).toEqual(at('2026-02-01T00:00:00Z'));
    expect(isFounded(state)).toBe(true);
    expect([...state.members]).toEqual([['globex', 'FREE_SPACE']]);
    expect(state.dissolved).toBe(false);
    expect(state.version).toBe(5);
    expect(state.latestEffectiveAt).toEqual(at('2026-02-05T00:00:00Z'));
  });

  it('clears every membership on GroupDissolved', () => {
    const state = given(
      evolveGroup,
      initialGroupState,
      founded('g1', at('2026-02-01T00:00:00Z')),
      joined('g1', 'acme', 'CORE', at('2026-02-02T00:00:00Z')),
      joined('g1', 'globex', 'RING', at('2026-02-03T00:00:00Z')),
      dissolved('g1', at('2026-03-01T00:00:00Z')),
    );

    expect(state.dissolved).toBe(true);
    expect(state.members.size).toBe(0);
    expect(state.version).toBe(4);
    expect(state.latestEffectiveAt).toEqual(at('2026-03-01T00:00:00Z'));
  });

  it('leaves the state it folded from untouched', () => {
    const before = given(evolveGroup, initialGroupState, founded('g1', at('2026-02-01T00:00:00Z')));
    const after = evolveGroup(before, joined('g1', 'acme', 'CORE', at('2026-02-02T00:00:00Z')));

    expect(before.members.size).toBe(0);
    expect(before.version).toBe(1);
    expect(after.members.get('acme')).toBe('CORE');
    expect(initialGroupState.members.size).toBe(0);
  });

  it('keeps every membership period in valid time, ended by leaving or by the dissolution', () => {
    const state = given(
      evolveGroup,
      initialGroupState,
      founded('g1', at('2026-02-01T00:00:00Z')),
      joined('g1', 'acme', 'CORE', at('2026-02-02T00:00:00Z')),
      left('g1', 'acme', at('2026-02-10T00:00:00Z')),
      joined('g1', 'acme', 'RING', at('2026-02-20T00:00:00Z')),
      dissolved('g1', at('2026-03-01T00:00:00Z')),
    );

    expect(state.periods.get('acme')).toEqual([
      { from: at('2026-02-02T00:00:00Z'), until: at('2026-02-10T00:00:00Z') },
      { from: at('2026-02-20T00:00:00Z'), until: at('2026-03-01T00:00:00Z') },
    ]);
    expect(state.dissolvedAt).toEqual(at('2026-03-01T00:00:00Z'));
    const memberAt = (iso: string) => isMemberAt(state, 'acme', at(iso));
    expect(memberAt('2026-02-01T23:59:59Z')).toBe(false);
    expect(memberAt('2026-02-02T00:00:00Z')).toBe(true);
    expect(memberAt('2026-02-10T00:00:00Z')).toBe(false);
    expect(memberAt('2026-02-25T00:00:00Z')).toBe(true);
    expect(memberAt('2026-03-01T00:00:00Z')).toBe(false);
    expect(isMemberAt(state, 'acme', undefined)).toBe(false);
    expect(isDissolvedAt(state, at('2026-02-28T23:59:59Z'))).toBe(false);
    expect(isDissolvedAt(state, at('2026-03-01T00:00:00Z'))).toBe(true);
    expect(isDissolvedAt(state, undefined)).toBe(true);
  });
});
