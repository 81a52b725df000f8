import { InvalidInputError } from '@partnerships/domain/common/errors';
import { decodeCursor } from '@partnerships/projections/cursor';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import type { NetworkProjection } from '@partnerships/projections/network-projection';
import { RecordedEventNode, toRecordedEventNode } from '@partnerships/projections/nodes';
import { ReadModel } from '../read-model/read-model';

/**
 * `eventRecorded(after:)`: every event after `after`, in commit order, first those already
 * in the log, then each one as it is applied, with no gap and no duplicate.
 *
 * Both are one walk along the log by the read model's index, which only grows: the iterator
 * hands out the event at its index (read from the store in pages, at the positions the
 * read model knows) and moves on, and when it reaches what the read model has applied it
 * waits for the next event to be applied. There is no switch from a
 * replay to a live feed in which an event could be missed or delivered twice, and a slow
 * client holds nothing but its index. The subscription's filters apply to both alike.
 *
 * `after` is an `events` cursor or an event's `position`. The read model catches up with
 * the store first, so that a position or cursor another replica issued is found here too.
 */
export async function replayThenLive(
  readModel: ReadModel,
  after: string,
): Promise<AsyncIterableIterator<RecordedEventNode>> {
  await readModel.caughtUp();
  return new LogWalk(readModel, indexAfter(after, readModel.projection) + 1);
}

/** The index in the log of the event `after` names; anything the server did not issue is refused. */
function indexAfter(after: string, projection: NetworkProjection): number {
  try {
    return decodeCursor(after, projection.length, 'after');
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
  }
  // Positions are opaque and compared for equality only; a resume is usually near the end.
  const index = projection.indexOfPosition(after);
  if (index >= 0) return index;
  throw new InvalidInputError(
    'after',
    'is neither a cursor from events nor the position of an event this server issued',
  );
}

/** Events read from the store at once by a walk that is behind. */
const READ_AHEAD = 256;

class LogWalk implements AsyncIterableIterator<RecordedEventNode> {
  private finished = false;
  /** Events read ahead from the store, from `index` on. */
  private buffer: readonly RecordedEvent[] = [];
  private buffered = 0;
  private wake: (() => void) | undefined;
  private readonly stopListening: () => void;

  constructor(
    private readonly readModel: ReadModel,
    private index: number,
  ) {
    this.stopListening = readModel.follower.onEvent(() => this.wakeUp());
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RecordedEventNode> {
    return this;
  }

  async next(): Promise<IteratorResult<RecordedEventNode>> {
    const projection = this.readModel.projection;
    while (!this.finished && this.index >= projection.length) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.finished) return { done: true, value: undefined };
    if (this.buffered >= this.buffer.length) await this.readAhead(projection);
    if (this.finished) return { done: true, value: undefined };
    this.index++;
    return { done: false, value: toRecordedEventNode(this.buffer[this.buffered++]!) };
  }

  /** The next page of applied events, from the store, starting at `index`. */
  private async readAhead(projection: NetworkProjection): Promise<void> {
    const from = this.index;
    const limit = Math.min(READ_AHEAD, projection.length - from);
    const page = await this.readModel.store.readAll({
      after: from === 0 ? undefined : projection.positionAt(from - 1),
      limit,
    });
    if (page.length < limit || page[0]!.position !== projection.positionAt(from)) {
      throw new Error(`the store's log differs from the read model's at index ${from}`);
    }
    this.buffer = page.slice(0, limit);
    this.buffered = 0;
  }

  async return(): Promise<IteratorResult<RecordedEventNode>> {
    this.finished = true;
    this.stopListening();
    this.wakeUp();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<RecordedEventNode>> {
    await this.return();
    throw error;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
