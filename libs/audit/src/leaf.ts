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
 * RFC 8785 (JSON Canonicalization Scheme) text of a value. JSON as parsed from a store
 * (strings, finite numbers, booleans, null, arrays, plain objects) is written here
 * (plainCanonicalText), the same text as canonicalize at a fraction of the cost (a
 * property test holds the two equal); anything else is `canonicalize`'s to write.
 */
export function canonicalJson(value: unknown): string {
  const text = plainCanonicalText(value) ?? canonicalize(value);
  if (text === undefined) throw new TypeError('the value has no JSON form');
  return text;
}

/** A character JSON.stringify writes as an escape (a lone surrogate too), or a surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds.
const ESCAPED = /["\\\x00-\x1f\ud800-\udfff]/;

/**
 * A string as JSON.stringify (and so RFC 8785) writes it: between quotes as it is, unless
 * a character needs an escape (or may: surrogates), which JSON.stringify then writes.
 */
function stringText(value: string): string {
  return ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * RFC 8785 text of plain JSON, or undefined for anything else. Primitives are written as
 * JSON.stringify writes them (a finite number as String does); an object's members sorted
 * by UTF-16 code units, as JavaScript's `<` compares strings (its own order, integer-like
 * names first, does not matter: every name is sorted here); an own `__proto__` member is
 * read as the member it is.
 */
function plainCanonicalText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringText(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i++) {
          const item = plainCanonicalText(value[i]);
          if (item === undefined) return undefined;
          text += i === 0 ? item : `,${item}`;
        }
        return `${text}]`;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
      const record = value as Record<string, unknown>;
      const keys = sortedNames(Object.keys(record));
      let text = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const member = plainCanonicalText(record[key]);
        if (member === undefined) return undefined;
        text += `${i === 0 ? '' : ','}${stringText(key)}:${member}`;
      }
      return `${text}}`;
    }
    default:
      return undefined;
  }
}

/**
 * The names sorted in place by UTF-16 code units: an insertion sort, since an event's
 * objects have a few members, mostly in order already (the same order as Array#sort).
 */
function sortedNames(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    if (keys[j] <= key) continue;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

export function canonicalLeafBytes(leaf: AuditLeaf): Buffer {
  return Buffer.from(canonicalLeafText(leaf), 'utf8');
}

/**
 * RFC 8785 of a leaf. Its members are known, so they are written in their sorted order
 * directly, each value by canonicalJson: the same text as canonicalize(leaf), at a
 * fraction of the cost over a million events (a test holds the two equal).
 */
export function canonicalLeafText(leaf: AuditLeaf): string {
  const text = canonicalJson;
  return (
    `{"actor":${text(leaf.actor)},"commandId":${text(leaf.commandId)},` +
    `"data":${text(leaf.data)},"effectiveAt":${text(leaf.effectiveAt)},` +
    `"id":${text(leaf.id)},"recordedAt":${text(leaf.recordedAt)},` +
    `"revision":${text(leaf.revision)},"schemaVersion":${text(leaf.schemaVersion)},` +
    `"streamId":${text(leaf.streamId)},"type":${text(leaf.type)}}`
  );
}

export function leafHash(leaf: AuditLeaf): Buffer {
  return leafHashOfText(canonicalLeafText(leaf));
}

export function eventLeafHash(event: RecordedEvent): Buffer {
  return leafHashOfText(eventLeafText(event));
}

/** canonicalLeafText(leafOf(event)), without the leaf object (rowLeafText). */
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
  const data = plainCanonicalText(source.data);
  const revision = source.revision;
  const schemaVersion = source.schemaVersion;
  const actorText = plainCanonicalText(actor ?? null);
  const commandText = plainCanonicalText(commandId ?? null);
  const id = plainCanonicalText(source.id);
  const streamId = plainCanonicalText(source.streamId);
  const type = plainCanonicalText(source.type);
  if (
    data === undefined ||
    !Number.isFinite(revision) ||
    !Number.isFinite(schemaVersion) ||
    actorText === undefined ||
    commandText === undefined ||
    id === undefined ||
    streamId === undefined ||
    type === undefined
  ) {
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
  // The members in their sorted order; times are digits and ASCII signs, never escaped.
  return (
    `{"actor":${actorText},"commandId":${commandText},"data":${data},` +
    `"effectiveAt":"${effectiveTimes.of(effectiveAt)}","id":${id},` +
    `"recordedAt":"${recordedTimes.of(recordedAt)}","revision":${String(revision)},` +
    `"schemaVersion":${String(schemaVersion)},"streamId":${streamId},"type":${type}}`
  );
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
