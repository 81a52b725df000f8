import { LRUCache } from 'lru-cache';
import { DomainEvent, StreamStates, parseStreamId } from '@partnerships/domain/commands';
import { decodeEvent } from '@partnerships/domain/decode-event';
import { GroupState, groupStream } from '@partnerships/domain/group/group';
import {
  OrganizationState,
  organizationStream,
} from '@partnerships/domain/organization/organization';
import { PartnershipState, partnershipStream } from '@partnerships/domain/partnership/partnership';
import {
  StreamFold,
  groupFold,
  organizationFold,
  partnershipFold,
} from '@partnerships/domain/stream-folds';
import { EventStore, RecordedEvent } from '@partnerships/event-store/event-store';

/** The streams' states a decision reads, with the version each was read at. */
export type DecisionStates = StreamStates & { version(streamId: string): number };

type AnyState = OrganizationState | GroupState | PartnershipState;
type AnyFold = StreamFold<AnyState, DomainEvent>;

/** The default of COMMAND_CACHE_EVENTS: how many events the cached states may hold. */
export const DEFAULT_CACHED_EVENTS = 250_000;

export const STREAM_STATES = Symbol('StreamStates');

/**
 * The decided states of recently used streams, each at the version it was folded to, so
 * that a decision reads only the events recorded since (a group of 20,000 memberships costs
 * what a new one does). Bounded by the events the states hold, least recently used first
 * out. A cached state is only ever a prefix of its stream as the store has it: it is built
 * from reads and from appends the store acknowledged, never from a decision not yet
 * recorded. The store's expected-version check stays what decides whether a decision may
 * be recorded; `forget` drops a state after a conflict, so the retry reads it whole.
 */
export class StreamStateCache {
  private readonly folds: LRUCache<string, AnyFold>;

  constructor(maxEvents: number = DEFAULT_CACHED_EVENTS) {
    this.folds = new LRUCache<string, AnyFold>({
      maxSize: maxEvents,
      // An empty stream still takes an entry.
      sizeCalculation: (fold) => Math.max(1, fold.state.version),
    });
  }

  /**
   * Decides on the states of `streamIds` as the store has them now, each read from the
   * version cached (or whole). `decide` runs synchronously right after the last read, so the
   * states cannot move under it (they are folded in place, and other decisions advance them
   * as soon as this one awaits); it gets the version each state was read at. A stream in
   * `unborn` (named by an id chosen just now) is taken as empty without asking the store:
   * the store's expected-version check still refuses the append if it is not.
   */
  async decide<T>(
    store: EventStore,
    streamIds: readonly string[],
    decide: (states: DecisionStates) => T,
    unborn: ReadonlySet<string> = NONE,
  ): Promise<T> {
    const unique = [...new Set(streamIds)];
    for (;;) {
      const reads = await Promise.all(
        unique.map(async (streamId) => {
          const from = this.folds.get(streamId)?.state.version ?? 0;
          const events =
            from === 0 && unborn.has(streamId)
              ? []
              : await store.readStream(streamId, from === 0 ? undefined : { fromRevision: from });
          return { streamId, from, events };
        }),
      );
      const folds = new Map<string, AnyFold>();
      for (const { streamId, from, events } of reads) {
        const fold = this.advance(streamId, from, events);
        if (fold === undefined) break;
        folds.set(streamId, fold);
      }
      // A state dropped (after a conflict) while this decision read it: read again.
      if (folds.size === unique.length) return decide(statesOf(folds));
    }
  }

  /** Applies events the store acknowledged, when they follow the state cached. */
  recorded(events: readonly RecordedEvent[]): void {
    const first = events[0];
    if (first === undefined) return;
    const fold = this.folds.peek(first.streamId);
    if (fold === undefined || fold.state.version !== first.revision) return;
    for (const event of events) fold.apply(decodeEvent(event));
    this.folds.set(first.streamId, fold);
  }

  /** Drops a stream's state: the next decision on it reads the stream whole. */
  forget(streamId: string): void {
    this.folds.delete(streamId);
  }

  /**
   * The stream's state after `events`, read from revision `from`. Undefined when the cache
   * no longer holds a state these events continue (it was dropped meanwhile).
   */
  private advance(
    streamId: string,
    from: number,
    events: readonly RecordedEvent[],
  ): AnyFold | undefined {
    events.forEach((event, index) => {
      if (event.revision !== from + index) {
        throw new Error(`${streamId}: read revision ${event.revision}, not ${from + index}`);
      }
    });
    let fold = this.folds.get(streamId);
    if (fold === undefined || fold.state.version < from) {
      if (from !== 0) return undefined;
      fold = foldFor(streamId);
    }
    // Another decision may have folded some of these already, or more.
    for (const event of events.slice(fold.state.version - from)) fold.apply(decodeEvent(event));
    this.folds.set(streamId, fold);
    return fold;
  }
}

const NONE: ReadonlySet<string> = new Set();

function foldFor(streamId: string): AnyFold {
  const category = parseStreamId(streamId)?.category;
  switch (category) {
    case 'organization':
      return organizationFold() as AnyFold;
    case 'group':
      return groupFold() as AnyFold;
    case 'partnership':
      return partnershipFold() as AnyFold;
    default:
      throw new Error(`${streamId} is not a stream a decision reads`);
  }
}

function statesOf(folds: ReadonlyMap<string, AnyFold>): DecisionStates {
  const stateOf = <S extends AnyState>(streamId: string): S => {
    const fold = folds.get(streamId);
    if (fold === undefined) throw new Error(`${streamId} was not loaded for the decision`);
    return fold.state as S;
  };
  // Versions as read now: the states may move on once the caller awaits.
  const versions = new Map([...folds].map(([streamId, fold]) => [streamId, fold.state.version]));
  return {
    organization: (id) => stateOf<OrganizationState>(organizationStream(id)),
    group: (id) => stateOf<GroupState>(groupStream(id)),
    partnership: (id) => stateOf<PartnershipState>(partnershipStream(id)),
    version: (streamId) => {
      const version = versions.get(streamId);
      if (version === undefined) throw new Error(`${streamId} was not loaded for the decision`);
      return version;
    },
  };
}
