import canonicalize from 'canonicalize';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { leafHashOf } from './hashes';

/**
 * One event as the tree sees it: the values `Query.events` serves, `data` as stored
 * (before any upcasting). The store's position is left out, so that the same history has
 * the same tree on every store.
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

/** RFC 8785 (JSON Canonicalization Scheme) text of a value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('the value has no JSON form');
  return text;
}

export function canonicalLeafBytes(leaf: AuditLeaf): Buffer {
  return Buffer.from(canonicalJson(leaf), 'utf8');
}

export function leafHash(leaf: AuditLeaf): Buffer {
  return leafHashOf(canonicalLeafBytes(leaf));
}

export function eventLeafHash(event: RecordedEvent): Buffer {
  return leafHash(leafOf(event));
}
