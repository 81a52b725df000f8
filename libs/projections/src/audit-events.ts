import type { RecordedEvent } from '@partnerships/event-store/event-store';
import type { LogPage } from '@partnerships/event-store/log-page';
import type { NetworkProjection } from './network-projection';

/**
 * How many of the latest events are held whole for the audit tree: more than the distance
 * between the leaves it samples from a checkpoint (4096), which is as far back as it ever
 * recomputes leaves from events.
 */
const RECENT_EVENTS = 8192;

/**
 * The events the audit tree asks for by leaf index, without the read model holding the log:
 * the latest events whole (the tree recomputes leaves only back to its last agreeing
 * sample), and any older one by its id, kept compactly by the projection (the tree looks
 * events up by id). An older event's other fields are not in memory: asking for one fails
 * loudly rather than hashing something else.
 */
export class AuditEvents {
  private readonly recent: (RecordedEvent | undefined)[] = new Array(RECENT_EVENTS);
  /** Where a recent event not yet made is: its page (and row) instead of the event itself. */
  private readonly recentPages: (LogPage | undefined)[] = new Array(RECENT_EVENTS);
  private readonly recentRows = new Int32Array(RECENT_EVENTS);
  private next = 0;

  constructor(private readonly projection: NetworkProjection) {}

  /** The next event of the log, in the audit tree's order (its leaf index is the count so far). */
  push(event: RecordedEvent): void {
    const slot = this.next % RECENT_EVENTS;
    this.recent[slot] = event;
    this.recentPages[slot] = undefined;
    this.next++;
  }

  /**
   * The next event of the log as its page's row, made only if the tree asks for it (the
   * page is held meanwhile: the last 8,192 events span a page or two).
   */
  pushRow(page: LogPage, row: number): void {
    const slot = this.next % RECENT_EVENTS;
    this.recent[slot] = undefined;
    this.recentPages[slot] = page;
    this.recentRows[slot] = row;
    this.next++;
  }

  /**
   * Passes over the next `count` events of the log without holding them: the tree takes
   * their leaves from its checkpoint, and only their ids (the projection's) are ever asked.
   */
  skip(count: number): void {
    for (
      let index = Math.max(this.next, this.next + count - RECENT_EVENTS);
      index < this.next + count;
      index++
    ) {
      this.recent[index % RECENT_EVENTS] = undefined;
      this.recentPages[index % RECENT_EVENTS] = undefined;
    }
    this.next += count;
  }

  /** The log index of the event with this id, or undefined. */
  indexOf(eventId: string): number | undefined {
    return this.projection.indexOfEventId(eventId);
  }

  /** The event at a leaf index (the log index), as the audit tree asks for it. */
  readonly eventAt = (index: number): RecordedEvent => {
    if (index < this.next && index >= this.next - RECENT_EVENTS) {
      const slot = index % RECENT_EVENTS;
      const event = this.recent[slot];
      if (event !== undefined) return event;
      const page = this.recentPages[slot];
      if (page !== undefined) return page.event(this.recentRows[slot]!);
    }
    return idOnlyEvent(this.projection.eventIdAt(index), index);
  };
}

/** An event of which only the id is known: its other fields fail loudly when read. */
function idOnlyEvent(id: string, index: number): RecordedEvent {
  return new IdOnly(id, index);
}

/** An event of which only the id is in memory; any other field fails loudly. */
class IdOnly implements RecordedEvent {
  constructor(
    readonly id: string,
    private readonly index: number,
  ) {}

  private missing(): never {
    throw new Error(`the event at leaf ${this.index} is not held in memory, only its id`);
  }

  get streamId(): string {
    return this.missing();
  }
  get revision(): number {
    return this.missing();
  }
  get position(): string {
    return this.missing();
  }
  get type(): string {
    return this.missing();
  }
  get data(): Readonly<Record<string, unknown>> {
    return this.missing();
  }
  get effectiveAt(): Date {
    return this.missing();
  }
  get recordedAt(): Date {
    return this.missing();
  }
  get metadata(): RecordedEvent['metadata'] {
    return this.missing();
  }
  get schemaVersion(): number {
    return this.missing();
  }
}
