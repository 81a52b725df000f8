import { InvalidInputError } from './errors';

/** Ids: 1-64 characters of A-Z a-z 0-9 . _ : - */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export const LIMITS = {
  name: 200,
  longText: 2_000,
  terms: 10_000,
  parties: 50,
} as const;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export function requireId(field: string, value: unknown): string {
  if (!isId(value)) {
    throw new InvalidInputError(field, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');
  }
  return value;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A required text, trimmed, of 1..max Unicode code points. */
export function requireText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, 'must be a text');
  const trimmed = value.trim();
  const length = codePoints(trimmed);
  if (length === 0) throw new InvalidInputError(field, 'must not be blank');
  if (length > max) {
    throw new InvalidInputError(field, `must be at most ${max} characters (got ${length})`);
  }
  return trimmed;
}

/** An optional text, trimmed, of at most max code points; blank or absent becomes null. */
export function optionalText(field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new InvalidInputError(field, 'must be a text');
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const length = codePoints(trimmed);
  if (length > max) {
    throw new InvalidInputError(field, `must be at most ${max} characters (got ${length})`);
  }
  return trimmed;
}

export function requireDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidInputError(field, 'must be an RFC 3339 date-time with an offset');
  }
  return value;
}

export function optionalDate(field: string, value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  return requireDate(field, value);
}

export function requireIntegerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function optionalVersion(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return requireIntegerIn(field, value, 0, Number.MAX_SAFE_INTEGER);
}

export function requireOneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidInputError(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
