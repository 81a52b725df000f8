import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventToAppend } from '@partnerships/event-store/event-store';

/**
 * The one event every P1 writer appends, ours and baselines alike: an arrangement agreed,
 * with the metadata the API records (as large as what the generator writes, or larger).
 */
export function benchEvent(writer: number, revision: number): EventToAppend {
  const commandId = randomUUID();
  const metadata: EventMetadata = {
    actor: null,
    commandId,
    correlationId: commandId,
    causationId: commandId,
    commandDigest: DIGEST,
  };
  return {
    id: randomUUID(),
    type: 'ArrangementAgreed',
    data: {
      partnershipId: `partnership-bench-${writer}`,
      arrangementId: `arrangement-${revision + 1}`,
      title: 'Shared intake',
      terms: 'Each party does its part and reports monthly.',
      validUntil: null,
      commitments: [],
    },
    metadata,
    schemaVersion: 1,
  };
}

/** A SHA-256 in hex, as long as the digest of a command's name and input. */
const DIGEST = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** Writer w appends to its own stream. */
export function benchStream(writer: number): string {
  return `partnership-bench-${writer}`;
}

/** What the P1 Emmett child is asked to do, over IPC. */
export interface EmmettRequest {
  readonly file: string;
  readonly writers: number;
  readonly durationMs: number;
  /**
   * `queued`: one store, its appends one at a time in arrival order. `shared`: one store,
   * the writers' appends all in flight at once, as Emmett's own benchmark calls it.
   */
  readonly mode: 'queued' | 'shared';
  /** How long to wait for appends still in flight after the duration. */
  readonly graceMs: number;
}

export interface EmmettResult {
  readonly appended: number;
  readonly failed: number;
  readonly writersStopped: number;
  readonly inFlightAtEnd: number;
  readonly seconds: number;
  /** Error codes or messages, with how often each was seen. */
  readonly errors: Readonly<Record<string, number>>;
  readonly synchronous: number;
  readonly journalMode: string;
}
