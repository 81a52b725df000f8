/**
 * The checksum of a snapshot's payload, taken apart from its reading: by a thread that read
 * the snapshot for another to decode meanwhile. This module loads nothing of the projection
 * (a server's first module loads it, before the rest of its code).
 */
import { createHash } from 'node:crypto';
import type { SnapshotHeader, SnapshotProblem } from './snapshot-file';

/** How much of the payload is hashed at once: what a read of it left in the CPU's cache. */
export const HASHED_BYTES_PER_READ = 256 * 1024;

export const CHECKSUM_MISMATCH: SnapshotProblem = {
  kind: 'damaged',
  detail: 'its checksum does not match',
};

/** A snapshot's payload: its serialised state, then its typed arrays. */
export interface SnapshotPayload {
  readonly header: Pick<SnapshotHeader, 'payloadSha256'>;
  readonly state: ArrayBufferView;
  readonly sections: readonly ArrayBufferView[];
}

/** Why the payload does not match its header's checksum; undefined when it does. */
export function checksumProblem({
  header,
  state,
  sections,
}: SnapshotPayload): SnapshotProblem | undefined {
  const hash = createHash('sha256');
  for (const view of [state, ...sections]) {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let done = 0; done < bytes.length; done += HASHED_BYTES_PER_READ) {
      hash.update(bytes.subarray(done, done + HASHED_BYTES_PER_READ));
    }
  }
  return hash.digest('hex') === header.payloadSha256 ? undefined : CHECKSUM_MISMATCH;
}
