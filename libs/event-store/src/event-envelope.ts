import { hash } from 'node:crypto';
import { parse as parseUuid } from 'uuid';
import type { DomainEvent } from '@partnerships/domain/commands';
import { currentSchemaVersion } from '@partnerships/domain/common/upcasters';
import type { EventMetadata, EventToAppend } from './event-store';
import { UUID_BYTES, uuidText } from './uuid-bytes';

/** The namespace of the UUIDv5 each event id derives from (eventIdOf). */
const EVENT_ID_NAMESPACE = parseUuid('6f1c1a52-3b0e-4c39-9a57-1f0b8f3e2d71');

/** A lowercase UUIDv7 (RFC 9562), as the commandIds the server chooses are. */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The namespace's bytes, then a name: rewritten for each id (names longer than it get their own). */
const nameBytes = Buffer.alloc(1024);
nameBytes.set(EVENT_ID_NAMESPACE, 0);

/** What a command's events carry besides their own type and data. */
export interface CommandEnvelope {
  readonly commandId: string;
  readonly actor: string | null;
  /** A digest of the command's name and input (the recorder's), to tell a repeat from a reuse. */
  readonly commandDigest: string;
  readonly effectiveAt: Date | undefined;
}

/**
 * The one id rule for events: derived from the commandId, so that the same command sent
 * again carries the same ids and the store recognises it. The UUIDv5 of
 * `<commandId>/<index>`; when the commandId is a UUIDv7 (as the ones the server chooses
 * are), its first 48 bits are the commandId's time instead and its version is 8 (RFC 9562's
 * custom layout): the events of commands recorded close in time are then close in the
 * store's index of event ids, where random ids put each at a random page (to read, and to
 * write again at the commit). The generator derives one for every event it writes: node's
 * one-shot hash, with no Hash object per id (the uuid library's v5 makes one, and a million
 * of them held V8's young-generation collections up as well); event-envelope.spec.ts holds
 * it equal to the library's v5 for the bits it takes from it.
 */
export function eventIdOf(commandId: string, index: number): string {
  const name = `${commandId}/${index}`;
  const length = UUID_BYTES + Buffer.byteLength(name);
  let bytes = nameBytes;
  if (length > bytes.length) {
    bytes = Buffer.alloc(length);
    bytes.set(EVENT_ID_NAMESPACE, 0);
  }
  const end = UUID_BYTES + bytes.write(name, UUID_BYTES);
  const digest = hash('sha1', bytes.subarray(0, end), 'buffer');
  if (UUID_V7.test(commandId)) {
    // The commandId's 48-bit time (its first 12 hex digits) in front.
    digest.write(commandId.slice(0, 8), 0, 'hex');
    digest.write(commandId.slice(9, 13), 4, 'hex');
    digest[6] = (digest[6]! & 0x0f) | 0x80; // version 8
  } else {
    digest[6] = (digest[6]! & 0x0f) | 0x50; // version 5
  }
  digest[8] = (digest[8]! & 0x3f) | 0x80; // the RFC's variant
  return uuidText(digest, 0);
}

/** The metadata every event of a command carries. */
export function metadataOf({ commandId, actor, commandDigest }: CommandEnvelope): EventMetadata {
  return { actor, commandId, correlationId: commandId, causationId: commandId, commandDigest };
}

/** A decision's events as the store appends them, written by the current schema versions. */
export function envelopesOf(
  events: readonly DomainEvent[],
  envelope: CommandEnvelope,
): EventToAppend[] {
  return events.map((event, index) => ({
    id: eventIdOf(envelope.commandId, index),
    type: event.type,
    // Event data is plain JSON by construction (dates as RFC 3339 strings).
    data: event.data as unknown as Readonly<Record<string, unknown>>,
    effectiveAt: envelope.effectiveAt,
    schemaVersion: currentSchemaVersion(event.type),
    metadata: metadataOf(envelope),
  }));
}
