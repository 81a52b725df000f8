import { digestOf } from './command-recorder';

/**
 * The digest tells a repeated command (same commandId, same mutation, same input: answered
 * with the first result) from a reused commandId (COMMAND_ID_REUSED).
 */
describe('the commandId digest', () => {
  const input = {
    commandId: 'c1',
    groupId: 'river',
    organizationId: 'acme',
    position: 'CORE',
    effectiveAt: new Date('2026-01-02T03:04:05.000Z'),
  };

  it('is the same for the same mutation and input', () => {
    expect(digestOf('joinGroup', input)).toBe(digestOf('joinGroup', { ...input }));
  });

  it('differs for another input', () => {
    expect(digestOf('joinGroup', { ...input, position: 'RING' })).not.toBe(
      digestOf('joinGroup', input),
    );
    expect(digestOf('joinGroup', { ...input, organizationId: 'acme2' })).not.toBe(
      digestOf('joinGroup', input),
    );
    expect(
      digestOf('joinGroup', { ...input, effectiveAt: new Date('2026-01-02T03:04:05.001Z') }),
    ).not.toBe(digestOf('joinGroup', input));
  });

  it('differs for another mutation with the same input', () => {
    expect(digestOf('changePosition', input)).not.toBe(digestOf('joinGroup', input));
  });

  it('does not depend on the order of keys, at any depth', () => {
    const reordered = {
      effectiveAt: input.effectiveAt,
      position: 'CORE',
      organizationId: 'acme',
      groupId: 'river',
      commandId: 'c1',
    };
    expect(digestOf('joinGroup', reordered)).toBe(digestOf('joinGroup', input));
    expect(digestOf('formPartnership', { a: { x: 1, y: [1, 2] }, b: 2 })).toBe(
      digestOf('formPartnership', { b: 2, a: { y: [1, 2], x: 1 } }),
    );
  });

  it('keeps the order of list items (partyIds in another order is another input)', () => {
    expect(digestOf('formPartnership', { partyIds: ['a', 'b'] })).not.toBe(
      digestOf('formPartnership', { partyIds: ['b', 'a'] }),
    );
  });

  it('reads an optional field given as null as absent, as the deciders do', () => {
    const { effectiveAt: _omitted, ...absent } = input;
    expect(digestOf('joinGroup', { ...input, effectiveAt: null })).toBe(
      digestOf('joinGroup', absent),
    );
    expect(digestOf('joinGroup', { ...input, effectiveAt: undefined })).toBe(
      digestOf('joinGroup', absent),
    );
  });

  it('tells a value from its string form', () => {
    expect(digestOf('m', { n: 1 })).not.toBe(digestOf('m', { n: '1' }));
    expect(digestOf('m', { b: true })).not.toBe(digestOf('m', { b: 'true' }));
  });
});
