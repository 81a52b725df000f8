import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { DomainEvent } from '@partnerships/domain/commands';
import { currentSchemaVersion } from '@partnerships/domain/common/upcasters';
import type { EventToAppend } from './event-store';

/**
 * Event ids are UUIDv5 of the commandId and the event's index, in this namespace (parsed
 * once: the generator derives an id for every event it writes).
 */
const EVENT_ID_NAMESPACE = parseUuid('6f1c1a52-3b0e-4c39-9a57-1f0b8f3e2d71');

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
 * again carries the same ids and the store recognises it.
 */
export function eventIdOf(commandId: string, index: number): string {
  return uuidv5(`${commandId}/${index}`, EVENT_ID_NAMESPACE);
}

/** A decision's events as the store appends them, written by the current schema versions. */
export function envelopesOf(
  events: readonly DomainEvent[],
  { commandId, actor, commandDigest, effectiveAt }: CommandEnvelope,
): EventToAppend[] {
  return events.map((event, index) => ({
    id: eventIdOf(commandId, index),
    type: event.type,
    // Event data is plain JSON by construction (dates as RFC 3339 strings).
    data: event.data as unknown as Readonly<Record<string, unknown>>,
    effectiveAt,
    schemaVersion: currentSchemaVersion(event.type),
    metadata: { actor, commandId, correlationId: commandId, causationId: commandId, commandDigest },
  }));
}
