import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import { eventLeafHash } from '@partnerships/audit/leaf';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { NetworkView } from '@partnerships/projections/network-view';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const AUDIT = join(__dirname, '..', 'dist', 'apps', 'audit', 'src', 'main.js');
const T = (day: number) => new Date(Date.UTC(2025, 0, day));

function event(
  index: number,
  streamId: string,
  revision: number,
  type: string,
  data: Record<string, unknown>,
  schemaVersion = 1,
): RecordedEvent {
  const commandId = `fixture-${index}`;
  return {
    id: `fixture-event-${index}`,
    streamId,
    revision,
    position: '',
    type,
    data,
    effectiveAt: T(index + 1),
    recordedAt: T(index + 1),
    metadata: {
      actor: 'archivist',
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'fixture',
    },
    schemaVersion,
  };
}

/**
 * The same history written twice: once with ArrangementAgreed in its version-1 shape (no
 * commitments, as the first version of the product wrote it), once in today's version 2.
 */
function history(arrangementVersion: 1 | 2): RecordedEvent[] {
  const arrangement = {
    partnershipId: 'p1',
    arrangementId: 'a1',
    title: 'Monthly sharing',
    terms: 'We share monthly.',
    validUntil: '2026-01-01T00:00:00.000Z',
  };
  return [
    event(0, 'organization-acme', 0, 'OrganizationRegistered', {
      organizationId: 'acme',
      name: 'Acme',
    }),
    event(1, 'organization-brio', 0, 'OrganizationRegistered', {
      organizationId: 'brio',
      name: 'Brio',
    }),
    event(2, 'partnership-p1', 0, 'PartnershipFormed', {
      partnershipId: 'p1',
      name: 'Shared data',
      purpose: null,
      partyIds: ['acme', 'brio'],
      groupId: null,
      intendedEndAt: '2027-01-01T00:00:00.000Z',
    }),
    arrangementVersion === 1
      ? event(3, 'partnership-p1', 1, 'ArrangementAgreed', arrangement, 1)
      : event(3, 'partnership-p1', 1, 'ArrangementAgreed', { ...arrangement, commitments: [] }, 2),
  ];
}

async function writeFixture(
  file: string,
  events: readonly RecordedEvent[],
): Promise<RecordedEvent[]> {
  const store = SqliteEventStore.open(file);
  await store.importRecorded(events);
  const stored = await store.readAll({ limit: 100 });
  await store.close();
  return [...stored];
}

function rootOf(events: readonly RecordedEvent[]): string {
  const tree = new MerkleTree();
  for (const recorded of events) tree.append(eventLeafHash(recorded));
  return tree.root().toString('hex');
}

async function arrangementsOf(events: readonly RecordedEvent[]) {
  const projection = new NetworkProjection();
  for (const recorded of events) projection.apply(recorded);
  // The arrangements' text is read from the stream, as the store gives it back.
  const view = new NetworkView(projection, T(100), T(100), {
    readStream: (streamId) => Promise.resolve(events.filter((e) => e.streamId === streamId)),
    readAll: () => Promise.reject(new Error('not read')),
  });
  const node = view.partnership('p1');
  return node === null ? undefined : await view.arrangements(node);
}

describe('schema evolution: ArrangementAgreed version 1 beside version 2', () => {
  const directory = temporaryDirectory();
  const v1File = join(directory.path, 'v1.db');
  const v2File = join(directory.path, 'v2.db');
  let v1: RecordedEvent[];
  let v2: RecordedEvent[];
  let server: TestServer | undefined;

  beforeAll(async () => {
    v1 = await writeFixture(v1File, history(1));
    v2 = await writeFixture(v2File, history(2));
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  it('keeps the stored shapes as written: only the version-2 event has commitments', () => {
    expect(v1[3]).toMatchObject({ schemaVersion: 1 });
    expect(v1[3].data).not.toHaveProperty('commitments');
    expect(v2[3]).toMatchObject({ schemaVersion: 2, data: { commitments: [] } });
  });

  it('projects old and new shapes the same way', async () => {
    const old = await arrangementsOf(v1);
    expect(old).toHaveLength(1);
    expect(old).toEqual(await arrangementsOf(v2));
  });

  it('leaves the tree as the stored bytes make it: upcasting changes no leaf', () => {
    const before = rootOf(v1);
    // Reading through the projection (which upcasts) does not touch the events it is given.
    const projection = new NetworkProjection();
    for (const recorded of v1) projection.apply(recorded);
    expect(projection.length).toBe(v1.length);
    expect(rootOf(v1)).toBe(before);
    // And the version-1 tree is not the version-2 one: the leaves are the stored shapes.
    expect(rootOf(v2)).not.toBe(before);
  });

  it('serves the fixture as stored, decides on it as upcast, and digests the stored leaves', async () => {
    server = await startServer(v1File);
    const events = await server.gql('{ events { edges { node { type schemaVersion data } } } }');
    const arrangement = events.data!.events.edges[3].node;
    expect(arrangement).toEqual({ type: 'ArrangementAgreed', schemaVersion: 1, data: v1[3].data });
    expect((await server.gql('{ auditDigest { treeSize rootHash } }')).data!.auditDigest).toEqual({
      treeSize: 4,
      rootHash: rootOf(v1),
    });
    // The decider reads the old event through the registry: the arrangement exists.
    const again = await server.gql(
      'mutation { agreeArrangement(input: { partnershipId: "p1", arrangementId: "a1", title: "x", terms: "y" }) { id } }',
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'RULE_VIOLATION',
      rule: 'ARRANGEMENT_EXISTS',
    });
    // A new arrangement is written in the current shape, version 2.
    const added = await server.gql(
      'mutation { agreeArrangement(input: { partnershipId: "p1", arrangementId: "a2", title: "x", terms: "y" }) { id } }',
    );
    expect(added.errors).toBeUndefined();
    const latest = await server.gql(
      '{ history(streamId: "partnership-p1") { schemaVersion data } }',
    );
    expect(latest.data!.history.map((e: { schemaVersion: number }) => e.schemaVersion)).toEqual([
      1, 1, 2,
    ]);
    expect(latest.data!.history[2].data.commitments).toEqual([]);
  });

  it('verifies: version-1 data is valid for version 1', async () => {
    const result = await new Promise<{ status: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [AUDIT, 'verify', '--store', `sqlite:${v2File}`],
        (error, stdout) => resolve({ status: error === null ? 0 : Number(error.code), stdout }),
      ),
    );
    expect(result.stdout).not.toMatch(/FAIL/);
    expect(result.status).toBe(0);
    const old = await new Promise<{ status: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [AUDIT, 'verify', '--store', `sqlite:${v1File}`],
        (error, stdout) => resolve({ status: error === null ? 0 : Number(error.code), stdout }),
      ),
    );
    expect(old.stdout).not.toMatch(/FAIL/);
    expect(old.status).toBe(0);
  });
});
