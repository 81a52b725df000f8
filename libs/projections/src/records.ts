/**
 * The read model's records. Each entity keeps the log indexes of its stream's events (the
 * times are columns of the projection, the events themselves stay in the store); everything
 * derived from them remembers the revision that produced it, so that the entity can be
 * seen as of any prefix of its stream (the basis of time travel: within one stream both
 * effectiveAt and recordedAt only move forward, so the events visible at a pair of times
 * always form a prefix).
 */
import type { IntList } from './columns';
import type { EndReason } from '@partnerships/domain/partnership/partnership';

/** A stream as the read model keeps it: the index in the global log of each revision. */
export interface StreamLog {
  readonly streamId: string;
  /** Its place among the streams in the order they began (the snapshot links by it). */
  readonly index: number;
  readonly seqs: IntList;
}

export interface StreamRecord {
  readonly id: string;
  /** Index in the global log of the event that created the entity: its list order. */
  readonly seq: number;
  /** Its place in the list of its kind (organisations, groups, partnerships) in that order. */
  readonly order: number;
  readonly stream: StreamLog;
  /**
   * The interventions aimed at the entity, in its stream's order: NO_INTERVENTIONS, shared
   * and frozen, until the first (most entities have none: 388k of 465k at 10M events).
   */
  interventions: InterventionRecord[];
}

/** The interventions of every entity that has none. */
export const NO_INTERVENTIONS: InterventionRecord[] = Object.freeze(
  [],
) as unknown as InterventionRecord[];

/** A value as a revision of its stream set it (a position moved, an intended end extended). */
export interface Revised<T> {
  readonly revision: number;
  readonly value: T;
}

/**
 * An intervention and an assessment carry the revision that recorded them in
 * themselves: one object each, not a pair of a revision and a value.
 */
export interface InterventionRecord {
  readonly revision: number;
  readonly id: string;
  readonly title: string;
  readonly aim: string | null;
}

export interface CapabilityRecord {
  readonly revision: number;
  readonly ambition: number;
  readonly realized: number;
  readonly notes: string | null;
}

export interface OrganizationRecord extends StreamRecord {
  readonly name: string;
  readonly assessments: CapabilityRecord[];
  /** Its memberships in the order they began, as indexes into the MembershipTable. */
  readonly memberships: IntList;
  readonly partnerships: PartnershipRecord[];
}

export interface GroupRecord extends StreamRecord {
  readonly name: string;
  readonly purpose: string | null;
  dissolvedRevision: number | undefined;
  /** Its memberships in the order they began, as indexes into the MembershipTable. */
  readonly memberships: IntList;
  readonly partnerships: PartnershipRecord[];
  /**
   * The open membership of each current member, by the member's place in the order of
   * organisations: built at the first question (openMembershipsOf in memberships.ts), so
   * that a start from a snapshot builds none.
   */
  openMemberships: Map<number, number> | undefined;
  /** Every membership period of each organisation that ever joined, oldest first (periodsIn). */
  membershipsOf: Map<number, number[]> | undefined;
}

export interface PartnershipRecord extends StreamRecord {
  readonly name: string;
  readonly purpose: string | null;
  readonly parties: OrganizationRecord[];
  readonly group: GroupRecord | null;
  /** The intended end as formed (revision 0); extensions move it (the ExtensionTable's). */
  readonly intendedEnd: number;
  /**
   * The revisions of the arrangements agreed, in order. Their titles, terms and commitments
   * (most of a history's text) are read from the store when asked for.
   */
  readonly arrangements: IntList;
  /**
   * The revision that ended it, undefined while it runs; its reason beside it (two fields,
   * not an object: 267k of the 428k partnerships of 10M events have ended).
   */
  endRevision: number | undefined;
  endReason: EndReason | undefined;
}
