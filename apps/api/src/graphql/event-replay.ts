import { InvalidInputError } from '@partnerships/domain/common/errors';
import { decodeCursor } from '@partnerships/projections/cursor';
import { RecordedEventNode, toRecordedEventNode } from '@partnerships/projections/nodes';
import { ReadModel } from '../read-model/read-model';

/**
 * `eventRecorded(after:)`: every event after `after`, in commit order, first those already
 * in the log, then each one as it is applied, with no gap and no duplicate.
 *
 * Both are one walk along the read model's log, which only grows and holds every event in
 * commit order: the iterator hands out the event at its index and moves on, and when it
 * reaches the end it waits for the next event to be applied. There is no switch from a
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
  const log = readModel.projection.log;
  return new LogWalk(readModel, indexAfter(after, log) + 1);
}

/** The index in the log of the event `after` names; anything the server did not issue is refused. */
function indexAfter(after: string, log: readonly { readonly position: string }[]): number {
  try {
    return decodeCursor(after, log.length, 'after');
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
  }
  // Positions are opaque and compared for equality only; a resume is usually near the end.
  for (let index = log.length - 1; index >= 0; index--) {
    if (log[index]!.position === after) return index;
  }
  throw new InvalidInputError(
    'after',
    'is neither a cursor from events nor the position of an event this server issued',
  );
}

class LogWalk implements AsyncIterableIterator<RecordedEventNode> {
  private finished = false;
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
    const log = this.readModel.projection.log;
    while (!this.finished && this.index >= log.length) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.finished) return { done: true, value: undefined };
    return { done: false, value: toRecordedEventNode(log[this.index++]!) };
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
