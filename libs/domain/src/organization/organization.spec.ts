import { at, given, intervention, registered } from '../common/decider-spec-helpers';
import { evolveOrganization, initialOrganizationState, isRegistered } from './organization';

describe('evolveOrganization', () => {
  it('starts unregistered, at version 0', () => {
    expect(initialOrganizationState).toEqual({
      version: 0,
      latestEffectiveAt: undefined,
      registeredAt: undefined,
      interventionIds: new Set(),
    });
    expect(isRegistered(initialOrganizationState)).toBe(false);
  });

  it('registers at the effective time, counts events and tracks the latest effective time', () => {
    const state = given(
      evolveOrganization,
      initialOrganizationState,
      registered('acme', at('2026-01-10T00:00:00Z')),
      {
        type: 'CapabilityAssessed',
        data: { organizationId: 'acme', ambition: 3, realized: 1, notes: null },
        effectiveAt: at('2026-02-10T00:00:00Z'),
      },
    );

    expect(state).toEqual({
      version: 2,
      latestEffectiveAt: at('2026-02-10T00:00:00Z'),
      registeredAt: at('2026-01-10T00:00:00Z'),
      interventionIds: new Set(),
    });
    expect(isRegistered(state)).toBe(true);
  });

  it('tracks the ids of the interventions aimed at it', () => {
    const state = given(
      evolveOrganization,
      initialOrganizationState,
      registered('acme', at('2026-01-10T00:00:00Z')),
      intervention({ organizationId: 'acme' }, 'coaching', at('2026-03-01T00:00:00Z')),
    );
    expect(state.interventionIds).toEqual(new Set(['coaching']));
    expect(state.latestEffectiveAt).toEqual(at('2026-03-01T00:00:00Z'));
  });
});
