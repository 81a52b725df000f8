import { expectBadInput } from './decider-spec-helpers';
import {
  LIMITS,
  isId,
  optionalDate,
  optionalText,
  optionalVersion,
  requireDate,
  requireId,
  requireIntegerIn,
  requireOneOf,
  requireText,
} from './input';

const EMOJI = '😀'; // one code point, two UTF-16 code units

describe('LIMITS', () => {
  it('are the limits docs/domain.md names', () => {
    expect(LIMITS).toEqual({ name: 200, longText: 2_000, terms: 10_000, parties: 50 });
  });
});

describe('requireId', () => {
  it('accepts 1 to 64 characters of A-Z a-z 0-9 . _ : -', () => {
    expect(requireId('id', 'a')).toBe('a');
    expect(requireId('id', 'Az09._:-')).toBe('Az09._:-');
    expect(requireId('id', 'x'.repeat(64))).toBe('x'.repeat(64));
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a space', 'acme corp'],
    ['a slash', 'acme/corp'],
    ['a non-ASCII letter', 'café'],
    ['a trailing newline', 'acme\n'],
  ])('rejects %s as BAD_USER_INPUT naming the field', (_, value) => {
    expectBadInput(() => requireId('organizationId', value), 'organizationId');
    expect(isId(value)).toBe(false);
  });

  it('rejects what is not a text', () => {
    expectBadInput(() => requireId('groupId', 42), 'groupId');
    expectBadInput(() => requireId('groupId', undefined), 'groupId');
  });
});

describe('requireText', () => {
  it('stores the trimmed text', () => {
    expect(requireText('name', '  Acme  \n', LIMITS.name)).toBe('Acme');
  });

  it.each([
    ['empty', ''],
    ['blank', ' \t\n '],
  ])('rejects %s text naming the field', (_, value) => {
    expectBadInput(() => requireText('name', value, LIMITS.name), 'name');
  });

  it('accepts exactly the maximum and rejects one more', () => {
    expect(requireText('name', 'n'.repeat(200), LIMITS.name)).toHaveLength(200);
    expectBadInput(() => requireText('name', 'n'.repeat(201), LIMITS.name), 'name');
  });

  it('counts code points, not UTF-16 code units', () => {
    const emoji200 = EMOJI.repeat(200);
    expect(emoji200).toHaveLength(400);
    expect(requireText('name', emoji200, LIMITS.name)).toBe(emoji200);
    expectBadInput(() => requireText('name', EMOJI.repeat(201), LIMITS.name), 'name');
  });

  it('counts after trimming', () => {
    expect(requireText('title', `   ${'t'.repeat(200)}   `, LIMITS.name)).toBe('t'.repeat(200));
  });

  it('rejects what is not a text', () => {
    expectBadInput(() => requireText('name', 7, LIMITS.name), 'name');
    expectBadInput(() => requireText('name', undefined, LIMITS.name), 'name');
  });
});

describe('optionalText', () => {
  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
  ])('stores %s as null', (_, value) => {
    expect(optionalText('purpose', value, LIMITS.longText)).toBeNull();
  });

  it('stores the trimmed text', () => {
    expect(optionalText('purpose', '  share care  ', LIMITS.longText)).toBe('share care');
  });

  it('accepts at most 2000 code points', () => {
    expect(optionalText('notes', 'n'.repeat(2000), LIMITS.longText)).toHaveLength(2000);
    expect(optionalText('notes', EMOJI.repeat(2000), LIMITS.longText)).toHaveLength(4000);
    expectBadInput(() => optionalText('notes', 'n'.repeat(2001), LIMITS.longText), 'notes');
  });

  it('rejects what is not a text', () => {
    expectBadInput(() => optionalText('reason', 12, LIMITS.longText), 'reason');
  });
});

describe('requireDate and optionalDate', () => {
  it('accept a valid Date', () => {
    const date = new Date('2026-03-01T10:00:00Z');
    expect(requireDate('intendedEndAt', date)).toBe(date);
    expect(optionalDate('effectiveAt', date)).toBe(date);
  });

  it('reject an invalid Date naming the field', () => {
    expectBadInput(() => requireDate('intendedEndAt', new Date('not a date')), 'intendedEndAt');
    expectBadInput(() => optionalDate('effectiveAt', new Date(Number.NaN)), 'effectiveAt');
  });

  it('reject what is not a Date', () => {
    expectBadInput(() => requireDate('intendedEndAt', '2026-03-01T10:00:00Z'), 'intendedEndAt');
    expectBadInput(() => requireDate('intendedEndAt', undefined), 'intendedEndAt');
    expectBadInput(() => optionalDate('validUntil', 1767225600000), 'validUntil');
  });

  it('optionalDate reads absent and null as undefined', () => {
    expect(optionalDate('effectiveAt', undefined)).toBeUndefined();
    expect(optionalDate('effectiveAt', null)).toBeUndefined();
  });
});

describe('requireIntegerIn', () => {
  it('accepts the bounds and what lies between', () => {
    expect([1, 3, 5].map((n) => requireIntegerIn('ambition', n, 1, 5))).toEqual([1, 3, 5]);
  });

  it.each([0, 6, 2.5, -1, Number.NaN, Number.POSITIVE_INFINITY, '3'])('rejects %p', (value) => {
    expectBadInput(() => requireIntegerIn('realized', value, 1, 5), 'realized');
  });
});

describe('optionalVersion', () => {
  it('reads absent and null as undefined', () => {
    expect(optionalVersion('expectedVersion', undefined)).toBeUndefined();
    expect(optionalVersion('expectedVersion', null)).toBeUndefined();
  });

  it('accepts zero and positive integers', () => {
    expect(optionalVersion('expectedVersion', 0)).toBe(0);
    expect(optionalVersion('expectedVersion', 17)).toBe(17);
  });

  it.each([-1, 1.5, '2'])('rejects %p', (value) => {
    expectBadInput(() => optionalVersion('expectedVersion', value), 'expectedVersion');
  });
});

describe('requireOneOf', () => {
  const positions = ['CORE', 'RING', 'FREE_SPACE'] as const;

  it('accepts a listed value', () => {
    expect(requireOneOf('position', 'RING', positions)).toBe('RING');
  });

  it.each(['core', '', 'MIDDLE', 1])('rejects %p', (value) => {
    expectBadInput(() => requireOneOf('position', value, positions), 'position');
  });
});
