import { ReadStreamOptions } from './event-store';

/** The first revision a stream read asks for, checked alike by every adapter. */
export function fromRevisionOf({ fromRevision }: ReadStreamOptions): number {
  const from = fromRevision ?? 0;
  if (!Number.isSafeInteger(from) || from < 0) {
    throw new RangeError(`readStream fromRevision must be a non-negative integer, not ${from}`);
  }
  return from;
}
