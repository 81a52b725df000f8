import { Float64Column, Int32Column } from './columns';

/** The columns as plain typed arrays, for a snapshot. */
export interface EntityColumnState {
  readonly organizationSeqs: Int32Array;
  readonly groupSeqs: Int32Array;
  readonly partnershipSeqs: Int32Array;
  readonly partnershipEndSeqs: Int32Array;
  readonly partnershipFirstExtensionSeqs: Int32Array;
  readonly partnershipLastExtensionSeqs: Int32Array;
  readonly partnershipFormedEnds: Float64Array;
  readonly partnershipLatestEnds: Float64Array;
}

/**
 * What a pass over every entity of a kind reads, as columns by the entity's place in the
 * order of its kind: a list's count, a page's cursor and the network's counts read these
 * arrays in order instead of following each record and its stream through the heap (at a
 * million events, 46k partnerships cost about 1 µs each that way, nearly all of it waiting
 * for memory). Each time is the log index of an event: a view sees the event when it sees
 * that index's times (within a stream both only move forward).
 */
export class EntityColumns {
  /** The log index of the event that created each organisation. */
  readonly organizationSeqs: Int32Column;
  readonly groupSeqs: Int32Column;
  readonly partnershipSeqs: Int32Column;
  /** The log index of the event that ended each partnership; -1 while it runs. */
  readonly partnershipEndSeqs: Int32Column;
  /** The log index of each partnership's first and last extension; -1 when it has none. */
  readonly partnershipFirstExtensionSeqs: Int32Column;
  readonly partnershipLastExtensionSeqs: Int32Column;
  /** Each partnership's intended end as formed and after its last extension, in ms. */
  readonly partnershipFormedEnds: Float64Column;
  readonly partnershipLatestEnds: Float64Column;

  constructor(state?: EntityColumnState) {
    this.organizationSeqs = new Int32Column(state?.organizationSeqs);
    this.groupSeqs = new Int32Column(state?.groupSeqs);
    this.partnershipSeqs = new Int32Column(state?.partnershipSeqs);
    this.partnershipEndSeqs = new Int32Column(state?.partnershipEndSeqs);
    this.partnershipFirstExtensionSeqs = new Int32Column(state?.partnershipFirstExtensionSeqs);
    this.partnershipLastExtensionSeqs = new Int32Column(state?.partnershipLastExtensionSeqs);
    this.partnershipFormedEnds = new Float64Column(state?.partnershipFormedEnds);
    this.partnershipLatestEnds = new Float64Column(state?.partnershipLatestEnds);
    const partnerships = this.partnershipSeqs.length;
    if (
      [
        this.partnershipEndSeqs,
        this.partnershipFirstExtensionSeqs,
        this.partnershipLastExtensionSeqs,
        this.partnershipFormedEnds,
        this.partnershipLatestEnds,
      ].some((column) => column.length !== partnerships)
    ) {
      throw new RangeError('the partnership columns differ in length');
    }
  }

  partnershipFormed(seq: number, intendedEnd: number): void {
    this.partnershipSeqs.push(seq);
    this.partnershipEndSeqs.push(-1);
    this.partnershipFirstExtensionSeqs.push(-1);
    this.partnershipLastExtensionSeqs.push(-1);
    this.partnershipFormedEnds.push(intendedEnd);
    this.partnershipLatestEnds.push(intendedEnd);
  }

  partnershipExtended(order: number, seq: number, intendedEnd: number): void {
    if (this.partnershipFirstExtensionSeqs.at(order) < 0) {
      this.partnershipFirstExtensionSeqs.set(order, seq);
    }
    this.partnershipLastExtensionSeqs.set(order, seq);
    this.partnershipLatestEnds.set(order, intendedEnd);
  }

  partnershipEnded(order: number, seq: number): void {
    this.partnershipEndSeqs.set(order, seq);
  }

  state(): EntityColumnState {
    return {
      organizationSeqs: this.organizationSeqs.toArray(),
      groupSeqs: this.groupSeqs.toArray(),
      partnershipSeqs: this.partnershipSeqs.toArray(),
      partnershipEndSeqs: this.partnershipEndSeqs.toArray(),
      partnershipFirstExtensionSeqs: this.partnershipFirstExtensionSeqs.toArray(),
      partnershipLastExtensionSeqs: this.partnershipLastExtensionSeqs.toArray(),
      partnershipFormedEnds: this.partnershipFormedEnds.toArray(),
      partnershipLatestEnds: this.partnershipLatestEnds.toArray(),
    };
  }
}
