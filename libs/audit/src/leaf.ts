import canonicalize from 'canonicalize';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { leafHashOfText } from './hashes';

/**
 * One event as the tree sees it: the values `Query.events` serves, `data` as stored
 * (before any upcasting). The store's position is left out, so that the same history has
 * the same tree on every store. The format, byte for byte: docs/audit.md.
 */
export interface AuditLeaf {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  /** `toISOString()`: UTC with exactly three fraction digits. */
  readonly effectiveAt: string;
  readonly recordedAt: string;
  readonly actor: string | null;
  readonly commandId: string | null;
  readonly data: unknown;
}

export const LEAF_MEMBERS = [
  'id',
  'streamId',
  'revision',
  'type',
  'schemaVersion',
  'effectiveAt',
  'recordedAt',
  'actor',
  'commandId',
  'data',
] as const satisfies readonly (keyof AuditLeaf)[];

export function leafOf(event: RecordedEvent): AuditLeaf {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    schemaVersion: event.schemaVersion,
    effectiveAt: event.effectiveAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
    actor: event.metadata.actor ?? null,
    commandId: event.metadata.commandId ?? null,
    data: event.data,
  };
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a value. For JSON as parsed from a store
 * (strings, finite numbers, booleans, null, arrays, plain objects) RFC 8785 writes
 * primitives exactly as JSON.stringify does and members sorted by UTF-16 code units; so
 * the value with every object's members in that order (sorted copies only where they are
 * not) is written by one native JSON.stringify, the same text as canonicalize at a
 * fraction of the cost (a property test holds the two equal). Anything else is
 * `canonicalize`'s to write.
 */
export function canonicalJson(value: unknown): string {
  const sorted = inCanonicalOrder(value);
  const text = sorted === NOT_PLAIN ? canonicalize(value) : JSON.stringify(sorted);
  if (text === undefined) throw new TypeError('the value has no JSON form');
  return text;
}

const NOT_PLAIN: unique symbol = Symbol('not plain JSON');

/**
 * The value with every object's members in RFC 8785's order: itself where they already
 * are, else a copy; NOT_PLAIN for anything JSON.stringify would not write as RFC 8785 does,
 * or whose member order a copy cannot fix (integer-like names, which every object lists
 * first in numeric order; `__proto__`, which an assignment does not create).
 */
function inCanonicalOrder(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : NOT_PLAIN;
    case 'object': {
      if (value === null) return value;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const sorted = inCanonicalOrder(item);
          if (sorted === NOT_PLAIN) return NOT_PLAIN;
          if (sorted !== item) {
            copy ??= value.slice();
            copy[i] = sorted;
          }
        }
        return copy ?? value;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let inOrder = true;
      let changed = false;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (key === '__proto__' || isIndexLike(key)) return NOT_PLAIN;
        if (i > 0 && keys[i - 1] > key) inOrder = false;
        const item = record[key];
        const sorted = inCanonicalOrder(item);
        if (sorted === NOT_PLAIN) return NOT_PLAIN;
        if (sorted !== item) changed = true;
      }
      if (inOrder && !changed) return value;
      // Sorted by UTF-16 code units, as RFC 8785 and Array.prototype.sort both do.
      if (!inOrder) keys.sort();
      const copy: Record<string, unknown> = {};
      for (const key of keys) copy[key] = inCanonicalOrder(record[key]);
      return copy;
    }
    default:
      return NOT_PLAIN;
  }
}

/** Names an object lists before all others, in numeric order (array indices). */
function isIndexLike(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

export function canonicalLeafBytes(leaf: AuditLeaf): Buffer {
  return Buffer.from(canonicalLeafText(leaf), 'utf8');
}

/**
 * RFC 8785 of a leaf. Its members are known, so they are written in their sorted order
 * directly, each value as RFC 8785 writes it (strings and integers as JSON.stringify does,
 * `data` by canonicalize): the same text as canonicalize(leaf), at a fraction of the cost
 * over a million events (a test holds the two equal).
 */
export function canonicalLeafText(leaf: AuditLeaf): string {
  const text = JSON.stringify;
  return (
    `{"actor":${text(leaf.actor)},"commandId":${text(leaf.commandId)},` +
    `"data":${canonicalJson(leaf.data)},"effectiveAt":${text(leaf.effectiveAt)},` +
    `"id":${text(leaf.id)},"recordedAt":${text(leaf.recordedAt)},` +
    `"revision":${canonicalJson(leaf.revision)},"schemaVersion":${canonicalJson(leaf.schemaVersion)},` +
    `"streamId":${text(leaf.streamId)},"type":${text(leaf.type)}}`
  );
}

export function leafHash(leaf: AuditLeaf): Buffer {
  return leafHashOfText(canonicalLeafText(leaf));
}

export function eventLeafHash(event: RecordedEvent): Buffer {
  return leafHashOfText(eventLeafText(event));
}

/**
 * canonicalLeafText(leafOf(event)): the leaf's members are created in their sorted order,
 * so one JSON.stringify writes the whole leaf (its data in canonical order).
 */
export function eventLeafText(event: RecordedEvent): string {
  return rowLeafText(
    event,
    event.effectiveAt.getTime(),
    event.recordedAt.getTime(),
    event.metadata.actor,
    event.metadata.commandId,
    SHARED_TIMES,
    SHARED_TIMES,
  );
}

/** What a leaf takes from a stored event beside its times and metadata. */
export interface LeafSource {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/**
 * The canonical leaf text of an event given as a store's row holds it: times as
 * milliseconds, `actor` and `commandId` as its metadata has them (undefined is null).
 * The same text as eventLeafText of the event the row stands for; `effectiveTimes` and
 * `recordedTimes` keep the day each was last written on (one for each, since a log's
 * effectiveAt and recordedAt are each mostly in order but often on different days).
 */
export function rowLeafText(
  source: LeafSource,
  effectiveAt: number,
  recordedAt: number,
  actor: unknown,
  commandId: unknown,
  effectiveTimes: IsoTimes,
  recordedTimes: IsoTimes,
): string {
  const data = inCanonicalOrder(source.data);
  const revision = source.revision;
  const schemaVersion = source.schemaVersion;
  if (data === NOT_PLAIN || !Number.isFinite(revision) || !Number.isFinite(schemaVersion)) {
    return canonicalLeafText({
      id: source.id,
      streamId: source.streamId,
      revision,
      type: source.type,
      schemaVersion,
      effectiveAt: new Date(effectiveAt).toISOString(),
      recordedAt: new Date(recordedAt).toISOString(),
      actor: (actor ?? null) as string | null,
      commandId: (commandId ?? null) as string | null,
      data: source.data,
    });
  }
  return JSON.stringify({
    actor: actor ?? null,
    commandId: commandId ?? null,
    data,
    effectiveAt: effectiveTimes.of(effectiveAt),
    id: source.id,
    recordedAt: recordedTimes.of(recordedAt),
    revision,
    schemaVersion,
    streamId: source.streamId,
    type: source.type,
  });
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** "HH:MM:" for every minute of a day, and "SS.mmmZ" for every millisecond of a minute. */
let minutesOfDay: readonly string[] | undefined;
let millisOfMinute: readonly string[] | undefined;

function pad(value: number, digits: number): string {
  return String(value).padStart(digits, '0');
}

/**
 * `new Date(time).toISOString()`, with the date part kept from the previous call: a log's
 * times come mostly in order, so most fall on a day just written, and the time of day is
 * two table entries (a property test holds this equal to toISOString).
 */
export class IsoTimes {
  private day = NaN;
  private dayText = '';

  of(time: number): string {
    // A Date drops a fraction of a millisecond (and has no time for NaN): left to it.
    if (!Number.isInteger(time)) return new Date(time).toISOString();
    const day = Math.floor(time / DAY_MS);
    if (day !== this.day) {
      const text = new Date(time).toISOString();
      // Years outside 0000-9999 are written with a sign and six digits: left to toISOString.
      if (text.length !== 24) return text;
      this.day = day;
      this.dayText = text.slice(0, 11);
    }
    const ms = time - day * DAY_MS;
    const minutes = (minutesOfDay ??= Array.from(
      { length: DAY_MS / MINUTE_MS },
      (_, minute) => `${pad(Math.floor(minute / 60), 2)}:${pad(minute % 60, 2)}:`,
    ));
    const millis = (millisOfMinute ??= Array.from(
      { length: MINUTE_MS },
      (_, milli) => `${pad(Math.floor(milli / 1000), 2)}.${pad(milli % 1000, 3)}Z`,
    ));
    const minute = Math.floor(ms / MINUTE_MS);
    return this.dayText + minutes[minute] + millis[ms - minute * MINUTE_MS];
  }
}

const SHARED_TIMES = new IsoTimes();

/** `date.toISOString()` (IsoTimes). */
export function isoTime(date: Date): string {
  return SHARED_TIMES.of(date.getTime());
}
