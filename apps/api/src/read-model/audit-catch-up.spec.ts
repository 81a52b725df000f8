import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTree, LogEvents } from '@partnerships/audit/audit-tree';
import { eventLeafHash } from '@partnerships/audit/leaf';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import type { EventToAppend, RecordedEvent } from '@partnerships/event-store/event-store';
import { LogPage } from '@partnerships/event-store/log-page';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { AuditEvents } from '@partnerships/projections/audit-events';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { applyRowToAuditTree, catchUpAuditTree } from './audit-catch-up';

/** Over two of the tree's sample intervals (4096), so that there are samples to check. */
const COUNT = 10_000;

function toAppend(index: number, realized: number): EventToAppend {
  const id = `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
  return {
    id,
    type: index === 0 ? 'OrganizationRegistered' : 'CapabilityAssessed',
    data:
      index === 0
        ? { organizationId: 'o', name: 'Org' }
        : { organizationId: 'o', ambition: 5, realized },
    schemaVersion: 1,
    metadata: {
      actor: null,
      commandId: `c${index}`,
      correlationId: `c${index}`,
      causationId: `c${index}`,
      commandDigest: 'd',
    },
  };
}

/** The log the tree reads, over events in memory. */
function logOf(events: readonly RecordedEvent[]): LogEvents {
  return {
    eventAt: (index) => events[index]!,
    indexOf: (eventId) => {
      const index = events.findIndex((event) => event.id === eventId);
      return index < 0 ? undefined : index;
    },
  };
}

/** A checkpoint of the first `size` leaves of a log, the leaves from `from` on hashed otherwise. */
function checkpointOf(events: readonly RecordedEvent[], size: number, file: string, from = size) {
  const tree = new AuditTree(logOf(events));
  for (const event of events.slice(0, size)) {
    const index = tree.size;
    tree.apply(index < from ? event : { ...event, data: { ...event.data, notes: 'other' } });
  }
  tree.saveSync(file);
}

/**
 * A store of COUNT events in a new folder for the tests of one describe: the events as
 * read back and the root of their tree, and the folder's removal after them.
 */
function logOfCount(prefix: string) {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  const log = {
    directory,
    store: undefined as unknown as SqliteEventStore,
    events: [] as RecordedEvent[],
    root: Buffer.alloc(0) as Buffer,
  };
  beforeAll(async () => {
    log.store = SqliteEventStore.open(join(directory, 'events.db'));
    await log.store.append(
      'organization-o',
      Array.from({ length: COUNT }, (_, index) => toAppend(index, 1 + (index % 5))),
      0,
    );
    log.events = [...(await log.store.readAll({ limit: COUNT }))];
    const fresh = new MerkleTree();
    for (const event of log.events) fresh.append(eventLeafHash(event));
    log.root = fresh.root();
  });
  afterAll(async () => {
    await log.store.close();
    rmSync(directory, { recursive: true, force: true });
  });
  return log;
}

describe('catchUpAuditTree: the audit tree brought to a snapshot of the read model', () => {
  const log = logOfCount('audit-catch-up-');
  const { directory } = log;

  /** A start from a snapshot of every event: the projection holds them, the tree none yet. */
  async function startFromSnapshot(checkpoint: string | undefined) {
    const projection = new NetworkProjection();
    for (const event of log.events) projection.apply(event);
    const auditEvents = new AuditEvents(projection);
    const { tree } = AuditTree.fromCheckpoint(checkpoint, auditEvents);
    const reads: number[] = [];
    const counted = {
      readAll: async (options: Parameters<SqliteEventStore['readAll']>[0]) => {
        const page = await log.store.readAll(options);
        reads.push(page.length);
        return page;
      },
    };
    await catchUpAuditTree(tree, auditEvents, projection, counted, COUNT);
    return { tree, read: reads.reduce((sum, length) => sum + length, 0) };
  }

  it('with a checkpoint of every event, reads only the samples and hashes nothing', async () => {
    const file = join(directory, 'whole.tree');
    checkpointOf(log.events, COUNT, file);
    const { tree, read } = await startFromSnapshot(file);
    expect(tree.size).toBe(COUNT);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(0);
    // Leaves 0, 4096, 8192 and the last.
    expect(read).toBe(4);
    expect(tree.leafIndexOf(log.events[5_000]!.id)).toBe(5_000);
  });

  it('with a checkpoint behind the snapshot, reads and hashes the events past it', async () => {
    const file = join(directory, 'behind.tree');
    checkpointOf(log.events, 6_000, file);
    const { tree } = await startFromSnapshot(file);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(COUNT - 6_000);
  });

  it('with a checkpoint of another log, recomputes from the last sample that agreed', async () => {
    const file = join(directory, 'other.tree');
    // The same log up to leaf 6,000, another one after: the sample at 8192 disagrees.
    checkpointOf(log.events, COUNT, file, 6_000);
    const { tree } = await startFromSnapshot(file);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(COUNT - 4_097);
  });

  it('without a checkpoint, reads and hashes every event', async () => {
    const { tree, read } = await startFromSnapshot(undefined);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(COUNT);
    expect(read).toBe(COUNT);
  });
});

describe('applyRowToAuditTree: the audit tree following a rebuild from the log, row by row', () => {
  const log = logOfCount('audit-rows-');
  const { directory } = log;

  afterEach(() => jest.restoreAllMocks());

  /** The log followed from its first event, in pages of 3,000, as the read model does. */
  async function rebuild(checkpoint: string | undefined) {
    const made = jest.spyOn(LogPage.prototype, 'event');
    const projection = new NetworkProjection();
    const follower = new LogFollower(log.store, projection, 3_000);
    const auditEvents = new AuditEvents(projection);
    const { tree } = AuditTree.fromCheckpoint(checkpoint, auditEvents);
    follower.onRow((page, row) => applyRowToAuditTree(tree, auditEvents, page, row));
    await follower.start();
    follower.stop();
    return { tree, made: made.mock.calls.length };
  }

  it('with a checkpoint of every event, makes only the sampled events and hashes nothing', async () => {
    const file = join(directory, 'whole.tree');
    checkpointOf(log.events, COUNT, file);
    const { tree, made } = await rebuild(file);
    expect(tree.size).toBe(COUNT);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(0);
    // Leaves 0, 4096, 8192 and the last.
    expect(made).toBe(4);
    expect(tree.leafIndexOf(log.events[5_000]!.id)).toBe(5_000);
  });

  it('with a checkpoint of another log, recomputes from rows back to the last sample that agreed', async () => {
    const file = join(directory, 'other.tree');
    // The same log up to leaf 6,000, another one after: the sample at 8192 disagrees, and
    // the leaves from 4097 on are hashed again from the rows held since.
    checkpointOf(log.events, COUNT, file, 6_000);
    const { tree } = await rebuild(file);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(COUNT - 4_097);
  });

  it('with a checkpoint behind the log, hashes the events past it', async () => {
    const file = join(directory, 'behind.tree');
    checkpointOf(log.events, 6_000, file);
    const { tree } = await rebuild(file);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(COUNT - 6_000);
  });

  it('without a checkpoint, makes and hashes every event', async () => {
    const { tree, made } = await rebuild(undefined);
    expect(tree.tree.root()).toEqual(log.root);
    expect(tree.computedLeaves).toBe(COUNT);
    expect(made).toBe(COUNT);
  });
});
