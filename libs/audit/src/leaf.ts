import canonicalize from 'canonicalize';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { leafHashOfText } from './hashes';

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
  return leafHash(leafOf(event));
}
