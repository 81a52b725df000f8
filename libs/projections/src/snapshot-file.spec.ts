import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { NetworkProjection } from './network-projection';
import { EventReader, NetworkView } from './network-view';
import {
  SNAPSHOT_FORMAT,
  describeProblem,
  loadProjection,
  projectionSchemaHash,
  readSnapshot,
  removeLeftovers,
  serializeState,
  snapshotBytes,
  takeSnapshot,
  writeFileDurably,
} from './snapshot-file';

/** These views answer from the projection alone; a read of the store would be a mistake. */
const NO_READS: EventReader = {
  readStream: () => Promise.reject(new Error('no store in this test')),
  readAll: () => Promise.reject(new Error('no store in this test')),
};

function event(
  position: number,
  streamId: string,
  revision: number,
  type: string,
  data: Record<string, unknown>,
): RecordedEvent {
  const at = new Date(Date.UTC(2026, 0, position));
  return {
    id: `event-${position}`,
    streamId,
    revision,
    position: String(position),
    type,
    data,
    effectiveAt: at,
    recordedAt: at,
    metadata: {
      actor: null,
      commandId: `c${position}`,
      correlationId: `c${position}`,
      causationId: `c${position}`,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
  };
}

/** Two organisations in a group, one of them left, a partnership between them. */
function projection(): NetworkProjection {
  const events = [
    event(1, 'organization-a', 0, 'OrganizationRegistered', { organizationId: 'a', name: 'A' }),
    event(2, 'organization-b', 0, 'OrganizationRegistered', { organizationId: 'b', name: 'B' }),
    event(3, 'group-g', 0, 'GroupFounded', { groupId: 'g', name: 'G', purpose: null }),
    event(4, 'group-g', 1, 'OrganizationJoinedGroup', {
      groupId: 'g',
      organizationId: 'a',
      position: 'CORE',
    }),
    event(5, 'group-g', 2, 'OrganizationJoinedGroup', {
      groupId: 'g',
      organizationId: 'b',
      position: 'RING',
    }),
    event(6, 'partnership-p', 0, 'PartnershipFormed', {
      partnershipId: 'p',
      name: 'P',
      purpose: null,
      partyIds: ['a', 'b'],
      groupId: 'g',
      intendedEndAt: '2026-06-01T00:00:00Z',
    }),
    event(7, 'group-g', 3, 'OrganizationLeftGroup', { groupId: 'g', organizationId: 'b' }),
  ];
  const built = new NetworkProjection();
  for (const e of events) built.apply(e);
  return built;
}

const LAST = { id: 'event-7', commandId: 'c7' };

describe('the snapshot file', () => {
  let folder: string;
  let file: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'snapshot-spec-'));
    file = join(folder, 'events.db.snapshot');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('gives back a projection that answers as the one it was taken from, and goes on from it', async () => {
    const original = projection();
    await writeFileDurably(file, takeSnapshot(original, 7, LAST).parts);
    const loaded = loadProjection(file, projectionSchemaHash());
    if (!('projection' in loaded)) throw new Error(describeProblem(file, loaded.problem));
    expect(loaded.header).toMatchObject({ events: 7, checkpoint: '7', lastEvent: LAST });
    const times = (day: number) => new Date(Date.UTC(2026, 0, day, 12));
    for (const day of [1, 4, 5, 6, 7]) {
      const before = new NetworkView(original, times(day), times(day), NO_READS);
      const after = new NetworkView(loaded.projection, times(day), times(day), NO_READS);
      expect(after.stats()).toEqual(before.stats());
      const group = (view: NetworkView) => view.group('g');
      const members = (view: NetworkView) =>
        group(view) === null
          ? []
          : view.members(group(view)!, null, true).map((m) => [m.organization.id, m.leftAt]);
      expect(members(after)).toEqual(members(before));
    }
    const follow = event(8, 'group-g', 4, 'OrganizationJoinedGroup', {
      groupId: 'g',
      organizationId: 'b',
      position: 'CORE',
    });
    original.apply(follow);
    loaded.projection.apply(follow);
    expect(loaded.projection.checkpoint).toBe('8');
    const now = new NetworkView(loaded.projection, times(9), times(9), NO_READS);
    expect(now.members(now.group('g')!, 'CORE', false).map((m) => m.organization.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('is refused as damaged when a byte of it changed', async () => {
    await writeFileDurably(file, takeSnapshot(projection(), 7, LAST).parts);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(file, bytes);
    const read = readSnapshot(file, projectionSchemaHash());
    expect('problem' in read && read.problem).toEqual({
      kind: 'damaged',
      detail: 'its checksum does not match',
    });
  });

  it('is refused as damaged when it was cut short, and as a mismatch when other code wrote it', async () => {
    await writeFileDurably(file, takeSnapshot(projection(), 7, LAST).parts);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    const cut = readSnapshot(file, projectionSchemaHash());
    expect('problem' in cut && cut.problem.kind).toBe('damaged');
    writeFileSync(file, bytes);
    const other = readSnapshot(file, 'f'.repeat(64));
    expect('problem' in other && other.problem.kind).toBe('mismatch');
    expect('problem' in other && describeProblem(file, other.problem)).toMatch(
      /ignored: it does not match this version's projection code/,
    );
  });

  it('reads each typed array of the state into memory of its own, not views of one buffer', async () => {
    await writeFileDurably(file, takeSnapshot(projection(), 7, LAST).parts);
    const read = readSnapshot(file, projectionSchemaHash());
    if (!('snapshot' in read)) throw new Error(describeProblem(file, read.problem));
    // effective, recorded, positions, ids, a column per event type, the record tape
    expect(read.snapshot.sections.length).toBeGreaterThanOrEqual(10);
    for (const section of read.snapshot.sections) {
      expect(section.buffer.byteLength).toBe(section.byteLength);
    }
  });

  it('is refused as a mismatch when an earlier format wrote it', () => {
    const header = Buffer.from(JSON.stringify({ format: SNAPSHOT_FORMAT - 1, schema: 'x' }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    writeFileSync(file, Buffer.concat([Buffer.from('PTSNAP01'), length, header, Buffer.alloc(64)]));
    const read = readSnapshot(file, projectionSchemaHash());
    expect('problem' in read && read.problem).toEqual({
      kind: 'mismatch',
      detail: `format ${SNAPSHOT_FORMAT - 1}, this version writes ${SNAPSHOT_FORMAT}`,
    });
  });

  it('is refused as damaged when its checksum holds but its records do not read back', async () => {
    const state = projection().exportState();
    const tape = state.records.ints;
    const spoilt = {
      ...state,
      records: { ...state.records, ints: tape.slice(0, tape.length - 1) },
    };
    const fields = {
      schema: projectionSchemaHash(),
      checkpoint: '7',
      events: 7,
      lastEvent: LAST,
      takenAt: 0,
    };
    await writeFileDurably(file, snapshotBytes(fields, serializeState(spoilt)));
    const loaded = loadProjection(file, projectionSchemaHash());
    expect('problem' in loaded && loaded.problem.kind).toBe('damaged');
    expect('problem' in loaded && describeProblem(file, loaded.problem)).toMatch(
      /ignored: damaged, its state is not readable \(RangeError: the record tape ends early\)/,
    );
  });

  it('is missing, not damaged, when there is none yet', () => {
    expect(readSnapshot(file, projectionSchemaHash())).toEqual({ problem: { kind: 'missing' } });
  });

  it('removes only the temporary files of writers that no longer run', async () => {
    // A pid above the kernel's largest (4194304) never runs.
    const dead = `events.db.snapshot.99999999.0badf00d.tmp`;
    const live = `events.db.snapshot.${process.pid}.0badf00d.tmp`;
    writeFileSync(join(folder, dead), 'partial');
    writeFileSync(join(folder, live), 'being written');
    writeFileSync(join(folder, 'events.db'), 'the store');
    expect(await removeLeftovers(file)).toEqual([dead]);
    expect(readdirSync(folder).sort()).toEqual(['events.db', live]);
  });

  it('hashes the projection code, the same for every call', () => {
    expect(projectionSchemaHash()).toMatch(/^[0-9a-f]{64}$/);
    expect(projectionSchemaHash()).toBe(projectionSchemaHash());
  });
});
