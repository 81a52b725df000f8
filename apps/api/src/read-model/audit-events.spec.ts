import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTree } from '@partnerships/audit/audit-tree';
import { eventLeafHash } from '@partnerships/audit/leaf';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { AuditEvents } from '@partnerships/projections/audit-events';
import { NetworkProjection } from '@partnerships/projections/network-projection';

function eventsOf(count: number, lastName = 'last'): RecordedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    streamId: `organization-o${i}`,
    revision: 0,
    position: String(i + 1),
    type: 'OrganizationRegistered',
    data: { organizationId: `o${i}`, name: i === count - 1 ? lastName : `Org ${i}` },
    effectiveAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
    recordedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
    metadata: {
      actor: null,
      commandId: `c${i}`,
      correlationId: `c${i}`,
      causationId: `c${i}`,
      commandDigest: 'd',
    },
    schemaVersion: 1,
  }));
}

/** Feeds events as the read model does: projection and window first, then the tree. */
function follow(events: readonly RecordedEvent[], file: string | undefined) {
  const projection = new NetworkProjection();
  const auditEvents = new AuditEvents(projection);
  const { tree } = AuditTree.fromCheckpoint(file, auditEvents);
  for (const event of events) {
    projection.apply(event);
    auditEvents.push(event);
    tree.apply(event);
  }
  return { tree, auditEvents };
}

describe('AuditEvents: the audit tree without the log in memory', () => {
  const directory = mkdtempSync(join(tmpdir(), 'audit-events-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('recomputes the leaves a wrong checkpoint holds from the latest events, and finds any by id', () => {
    const count = 10_000;
    const file = join(directory, 'tree');
    // A checkpoint of another log, which differs only in its last event: the last sample
    // disagrees and the leaves since the previous sample (8192) are recomputed from events.
    follow(eventsOf(count, 'other'), undefined).tree.saveSync(file);
    const events = eventsOf(count);

    const { tree, auditEvents } = follow(events, file);

    const fresh = new MerkleTree();
    for (const event of events) fresh.append(eventLeafHash(event));
    expect(tree.tree.root().toString('hex')).toBe(fresh.root().toString('hex'));
    expect(tree.leafIndexOf(events[17]!.id)).toBe(17);
    expect(tree.leafIndexOf(events[count - 1]!.id)).toBe(count - 1);
    expect(auditEvents.eventAt(count - 1)).toBe(events[count - 1]);
    // An old event is its id only; anything else of it fails instead of hashing a guess.
    expect(auditEvents.eventAt(17).id).toBe(events[17]!.id);
    expect(() => auditEvents.eventAt(17).data).toThrow('not held in memory');
  });
});
