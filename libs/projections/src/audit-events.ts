import type { RecordedEvent } from '@partnerships/event-store/event-store';
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
  private next = 0;

  constructor(private readonly projection: NetworkProjection) {}

  /** The next event of the log, in the audit tree's order (its leaf index is the count so far). */
  push(event: RecordedEvent): void {
    this.recent[this.next % RECENT_EVENTS] = event;
    this.next++;
  }

  /** The event at a leaf index (the log index), as the audit tree asks for it. */
  readonly eventAt = (index: number): RecordedEvent => {
    if (index < this.next && index >= this.next - RECENT_EVENTS) {
      const event = this.recent[index % RECENT_EVENTS];
      if (event !== undefined) return event;
    }
    return idOnly(this.projection.eventIdAt(index), index);
  };
}

function idOnly(id: string, index: number): RecordedEvent {
  const missing = (): never => {
    throw new Error(`the event at leaf ${index} is not held in memory, only its id`);
  };
  return {
    id,
    get streamId() {
      return missing();
    },
    get revision() {
      return missing();
    },
    get position() {
      return missing();
    },
    get type() {
      return missing();
    },
    get data() {
      return missing();
    },
    get effectiveAt() {
      return missing();
    },
    get recordedAt() {
      return missing();
    },
    get metadata() {
      return missing();
    },
    get schemaVersion() {
      return missing();
    },
  };
}
