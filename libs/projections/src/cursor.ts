import { InvalidInputError } from '@partnerships/domain/common/errors';

/**
 * Cursors are opaque to clients: they wrap the index in the global log of the item they
 * point after. A cursor the server did not issue is refused.
 */
const PREFIX = 'log:';

export function encodeCursor(seq: number): string {
  return Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, logLength: number, field = 'after'): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^log:(0|[1-9]\d{0,15})$/.exec(text);
  const seq = match === null ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(seq) || seq >= logLength || encodeCursor(seq) !== cursor) {
    throw new InvalidInputError(field, 'is not a cursor this server issued');
  }
  return seq;
}

export const MAX_PAGE_SIZE = 500;

export function checkPageSize(first: number, field = 'first'): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new InvalidInputError(field, `must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface Connection<T> {
  readonly edges: readonly Edge<T>[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: number;
}
