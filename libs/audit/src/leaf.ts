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
  const data = inCanonicalOrder(event.data);
  const revision = event.revision;
  const schemaVersion = event.schemaVersion;
  if (data === NOT_PLAIN || !Number.isFinite(revision) || !Number.isFinite(schemaVersion)) {
    return canonicalLeafText(leafOf(event));
  }
  return JSON.stringify({
    actor: event.metadata.actor ?? null,
    commandId: event.metadata.commandId ?? null,
    data,
    effectiveAt: isoTime(event.effectiveAt),
    id: event.id,
    recordedAt: isoTime(event.recordedAt),
    revision,
    schemaVersion,
    streamId: event.streamId,
    type: event.type,
  });
}

const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedDayText = '';

/**
 * `date.toISOString()`, with the date part kept from the previous call: a log's times come
 * mostly in order, so most leaves fall on a day just written, and only the time of day is
 * written anew (a property test holds this equal to toISOString).
 */
export function isoTime(date: Date): string {
  const time = date.getTime();
  const day = Math.floor(time / DAY_MS);
  if (day !== cachedDay) {
    const text = date.toISOString();
    // Years outside 0000-9999 are written with a sign and six digits: left to toISOString.
    if (text.length !== 24) return text;
    cachedDay = day;
    cachedDayText = text.slice(0, 11);
  }
  const ms = time - day * DAY_MS;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  const millis = ms % 1000;
  return (
    cachedDayText +
    (hours < 10 ? '0' : '') +
    hours +
    (minutes < 10 ? ':0' : ':') +
    minutes +
    (seconds < 10 ? ':0' : ':') +
    seconds +
    (millis < 10 ? '.00' : millis < 100 ? '.0' : '.') +
    millis +
    'Z'
  );
}
