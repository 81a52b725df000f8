import {
  MINUTE,
  NOW,
  at,
  contextAt,
  expectBadInput,
  expectRule,
  given,
  plus,
  registered,
} from '../common/decider-spec-helpers';
import {
  OrganizationState,
  decideOrganization,
  evolveOrganization,
  initialOrganizationState,
} from './organization';
import { RegisterOrganizationInput, parseRegisterOrganization } from './register-organization';

const registerOrganization = (input: RegisterOrganizationInput, state: OrganizationState) =>
  decideOrganization(parseRegisterOrganization(input), state, contextAt(NOW));

const noHistory = initialOrganizationState;
const acmeRegistered = given(
  evolveOrganization,
  initialOrganizationState,
  registered('acme', at('2026-02-01T09:00:00Z')),
);

describe('RegisterOrganization', () => {
  describe('given no events', () => {
    it('then OrganizationRegistered, effective at the moment of recording', () => {
      const decision = registerOrganization({ id: 'acme', name: 'Acme' }, noHistory);

      expect(decision.events).toStrictEqual([
        { type: 'OrganizationRegistered', data: { organizationId: 'acme', name: 'Acme' } },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores the trimmed name', () => {
      const decision = registerOrganization({ id: 'acme', name: '  Acme Corp \n' }, noHistory);

      expect(decision.events[0]?.data).toStrictEqual({ organizationId: 'acme', name: 'Acme Corp' });
    });

    it('allows backdating', () => {
      const lastYear = at('2025-06-01T00:00:00Z');
      const decision = registerOrganization(
        { id: 'acme', name: 'Acme', effectiveAt: lastYear },
        noHistory,
      );

      expect(decision.effectiveAt).toEqual(lastYear);
    });

    it('records a time within 5 minutes ahead of the clock at the moment of recording', () => {
      const decision = registerOrganization(
        { id: 'acme', name: 'Acme', effectiveAt: plus(NOW, 4 * MINUTE) },
        noHistory,
      );

      expect(decision.effectiveAt).toBeUndefined();
      expect(decision.events).toHaveLength(1);
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead', () => {
      expectRule(
        () =>
          registerOrganization(
            { id: 'acme', name: 'Acme', effectiveAt: plus(NOW, 5 * MINUTE + 1) },
            noHistory,
          ),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });
  });

  describe('given OrganizationRegistered', () => {
    it('then ORGANIZATION_EXISTS', () => {
      expectRule(
        () => registerOrganization({ id: 'acme', name: 'Acme again' }, acmeRegistered),
        'ORGANIZATION_EXISTS',
      );
    });

    it('checks the effective time before its own rule', () => {
      expectRule(
        () =>
          registerOrganization(
            { id: 'acme', name: 'Acme', effectiveAt: plus(NOW, 10 * MINUTE) },
            acmeRegistered,
          ),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
      expectRule(
        () =>
          registerOrganization(
            { id: 'acme', name: 'Acme', effectiveAt: at('2026-01-01T00:00:00Z') },
            acmeRegistered,
          ),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });
  });

  describe('input', () => {
    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['201 characters', 'n'.repeat(201)],
      ['201 emoji', '🏢'.repeat(201)],
    ])('rejects a name that is %s', (_, name) => {
      expectBadInput(() => parseRegisterOrganization({ id: 'acme', name }), 'name');
    });

    it('accepts a name of 200 emoji (400 UTF-16 code units)', () => {
      const name = '🏢'.repeat(200);
      expect(parseRegisterOrganization({ id: 'acme', name }).data.name).toBe(name);
    });

    it.each([
      ['empty', ''],
      ['65 characters', 'a'.repeat(65)],
      ['with a space', 'ac me'],
      ['with a slash', 'ac/me'],
    ])('rejects an id that is %s', (_, id) => {
      expectBadInput(() => parseRegisterOrganization({ id, name: 'Acme' }), 'id');
    });

    it('rejects an invalid effectiveAt', () => {
      expectBadInput(
        () => parseRegisterOrganization({ id: 'acme', name: 'Acme', effectiveAt: new Date('x') }),
        'effectiveAt',
      );
    });
  });
});
