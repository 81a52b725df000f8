import {
  fstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { AuditTree, LogEvents, readAuditCheckpoint } from './audit-tree';
import { MerkleTree } from './merkle-tree';
import { eventLeafHash } from './leaf';

function eventsOf(count: number, variant = ''): RecordedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `e${i}`,
    streamId: `organization-o${i}`,
    revision: 0,
    position: String(i + 1),
    type: 'OrganizationRegistered',
    data: { organizationId: `o${i}`, name: `Org ${i}${variant}` },
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

/** The root computed from scratch, never from a checkpoint. */
function freshRoot(events: readonly RecordedEvent[]): string {
  const tree = new MerkleTree();
  for (const event of events) tree.append(eventLeafHash(event));
  return tree.root().toString('hex');
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

function follow(events: readonly RecordedEvent[], file: string | undefined) {
  const { tree, loaded, problem } = AuditTree.fromCheckpoint(file, logOf(events));
  for (const event of events) tree.apply(event);
  return { tree, loaded, problem };
}

describe('the audit tree as a projection with a checkpoint', () => {
  let directory: string;
  let file: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'audit-tree-'));
    file = join(directory, 'events.db.audit-tree');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('starts from its checkpoint and hashes only the leaves that came after it', () => {
    const events = eventsOf(10_000);
    follow(events.slice(0, 9_000), undefined).tree.saveSync(file);
    const { tree, loaded } = follow(events, file);
    expect(loaded).toBe(9_000);
    expect(tree.computedLeaves).toBe(1_000);
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events));
    expect(tree.leafIndexOf('e9999')).toBe(9_999);
    expect(tree.leafIndexOf('e0')).toBe(0);
    expect(tree.leafIndexOf('nope')).toBeUndefined();
  });

  it('writes in the background the same checkpoint it writes at once, while the tree grows', async () => {
    // 40,000 leaves: more than one megabyte per level-0 chunk, so the hash spans turns.
    const events = eventsOf(40_000);
    const { tree } = follow(events.slice(0, 39_000), undefined);
    const saving = tree.save(file);
    for (const event of events.slice(39_000)) tree.apply(event);
    await saving;
    const other = join(directory, 'at-once');
    follow(events.slice(0, 39_000), undefined).tree.saveSync(other);
    expect(readFileSync(file).equals(readFileSync(other))).toBe(true);
    const loaded = follow(events, file).tree;
    expect(loaded.computedLeaves).toBe(1_000);
    expect(loaded.tree.root().toString('hex')).toBe(freshRoot(events));
  });

  it('holds none of its checkpoint: the levels are read from the file as proofs ask', async () => {
    // An odd count: the first leaf after it pairs with the file's last.
    const events = eventsOf(10_001);
    follow(events.slice(0, 9_001), undefined).tree.saveSync(file);
    const read = readAuditCheckpoint(file);
    expect(read.levels!.map((level) => level.length)).toEqual([
      9_001, 4_500, 2_250, 1_125, 562, 281, 140, 70, 35, 17, 8, 4, 2, 1,
    ]);
    for (const level of read.levels!) expect(level.memory.length).toBeLessThanOrEqual(16 * 32);

    const { tree, loaded } = follow(events, file);
    expect(loaded).toBe(9_001);
    expect(tree.computedLeaves).toBe(1_000);
    const fresh = new MerkleTree();
    for (const event of events) fresh.append(eventLeafHash(event));
    expect(tree.tree.root()).toEqual(fresh.root());
    for (const [m, n] of [
      [0, 10_001],
      [9_000, 9_001],
      [9_001, 10_001],
      [4_321, 9_500],
    ] as const) {
      expect(tree.tree.inclusionProof(m, n)).toEqual(fresh.inclusionProof(m, n));
      expect(tree.tree.consistencyProof(m + 1, n)).toEqual(fresh.consistencyProof(m + 1, n));
    }
    expect(tree.tree.leaf(17)).toEqual(fresh.leaf(17));

    // What it saves, partly copied from the file it started from, is what a tree built in
    // memory saves; and the file renamed over the one it reads leaves its reads as they were.
    const inMemory = new AuditTree(logOf(events));
    for (const event of events) inMemory.apply(event);
    const expected = join(directory, 'expected');
    inMemory.saveSync(expected);
    await tree.save(file);
    expect(readFileSync(file).equals(readFileSync(expected))).toBe(true);
    tree.saveSync(file);
    expect(readFileSync(file).equals(readFileSync(expected))).toBe(true);
    expect(tree.tree.inclusionProof(5, 9_001)).toEqual(fresh.inclusionProof(5, 9_001));
  });

  it('reads from each checkpoint it writes, and lets go of what held the hashes before', async () => {
    const events = eventsOf(6_001);
    const fresh = new MerkleTree();
    for (const event of events) fresh.append(eventLeafHash(event));
    // From no checkpoint: every hash held, no file.
    const { tree } = follow(events.slice(0, 5_001), undefined);
    expect(tree.tree.fileDescriptors.size).toBe(0);
    expect(tree.tree.heldHashes).toBe(
      5_001 + 2_500 + 1_250 + 625 + 312 + 156 + 78 + 39 + 19 + 9 + 4 + 2 + 1,
    );
    await tree.save(file);
    expect(tree.tree.heldHashes).toBe(0);
    const [first] = [...tree.tree.fileDescriptors];
    expect(first).toBeDefined();

    // Grown past it, saved again: the newer file is read, the older one closed.
    for (const event of events.slice(5_001)) tree.apply(event);
    expect(tree.tree.heldHashes).toBeGreaterThan(1_000);
    const second = join(directory, 'second');
    await tree.save(second);
    expect(tree.tree.heldHashes).toBe(0);
    expect([...tree.tree.fileDescriptors]).toHaveLength(1);
    expect(tree.tree.fileDescriptors.has(first!)).toBe(false);
    expect(() => fstatSync(first!)).toThrow(/EBADF/);
    expect(tree.tree.root()).toEqual(fresh.root());
    for (const m of [0, 5_000, 5_001, 6_000]) {
      expect(tree.tree.inclusionProof(m)).toEqual(fresh.inclusionProof(m));
    }
    // And appends go on from there, pairs across the file's end included.
    const more = eventsOf(6_010).slice(6_001);
    for (const event of more) {
      tree.apply(event);
      fresh.append(eventLeafHash(event));
    }
    expect(tree.tree.root()).toEqual(fresh.root());
    const inMemory = new AuditTree(logOf([...events, ...more]));
    for (const event of [...events, ...more]) inMemory.apply(event);
    inMemory.saveSync(join(directory, 'expected'));
    tree.saveSync(join(directory, 'third'));
    expect(
      readFileSync(join(directory, 'third')).equals(readFileSync(join(directory, 'expected'))),
    ).toBe(true);
  });

  it('saves one checkpoint after the other, each whole, when asked for two at once', async () => {
    const events = eventsOf(50_000);
    follow(events.slice(0, 40_000), undefined).tree.saveSync(file);
    const { tree } = follow(events.slice(0, 45_000), file);
    const first = tree.save(join(directory, 'first'));
    for (const event of events.slice(45_000)) tree.apply(event);
    const second = tree.save(join(directory, 'second'));
    await Promise.all([first, second]);
    for (const [name, count] of [
      ['first', 45_000],
      ['second', 50_000],
    ] as const) {
      const expected = join(directory, `expected-${name}`);
      follow(events.slice(0, count), undefined).tree.saveSync(expected);
      expect(readFileSync(join(directory, name)).equals(readFileSync(expected))).toBe(true);
    }
    expect(tree.tree.heldHashes).toBe(0);
  });

  it('says so when its checkpoint file is cut short under it, instead of answering from it', () => {
    const events = eventsOf(2_000);
    follow(events, undefined).tree.saveSync(file);
    const { tree } = follow(events, file);
    truncateSync(file, 100);
    expect(() => tree.tree.inclusionProof(1_500)).toThrow(
      'the audit tree checkpoint changed under the server',
    );
  });

  it('counts the next leaf that needs its whole event as a scan of every leaf finds it', () => {
    const events = eventsOf(10_000);
    follow(events.slice(0, 9_000), undefined).tree.saveSync(file);
    const { tree } = AuditTree.fromCheckpoint(file, logOf(events));
    const scanned = (from: number, end: number): number => {
      let index = from;
      while (index < end && !tree.needsWholeEvent(index)) index++;
      return index;
    };
    const edges = [0, 1, 4_095, 4_096, 4_097, 8_191, 8_192, 8_999, 9_000, 9_001, 10_000];
    for (const from of edges) {
      for (const end of edges.filter((edge) => edge >= from)) {
        expect([from, end, tree.nextWholeEvent(from, end)]).toEqual([
          from,
          end,
          scanned(from, end),
        ]);
      }
    }
  });

  it('takes a sample it found agreeing as checked only for that same event', () => {
    const events = eventsOf(10_000);
    follow(events, undefined).tree.saveSync(file);
    const changed = [...events];
    changed[4_096] = { ...events[4_096]!, data: { changed: true } };
    for (const log of [events, changed]) {
      const { tree } = AuditTree.fromCheckpoint(file, logOf(log));
      tree.apply(log[0]!);
      tree.skipTo(4_096);
      // Shown the recorded event, then given the log's own at that leaf.
      expect(tree.agreesWithCheckpoint(4_096, events[4_096]!)).toBe(true);
      tree.apply(log[4_096]!);
      for (let index = 4_097; index < log.length;) {
        const next = tree.nextWholeEvent(index, log.length);
        if (next > index) tree.skipTo(next);
        else tree.apply(log[next]!);
        index = Math.max(next, index + 1);
      }
      expect(tree.tree.root().toString('hex')).toBe(freshRoot(log));
      expect(tree.computedLeaves > 0).toBe(log === changed);
    }
  });

  it('drops a checkpoint of another log and recomputes every leaf', () => {
    follow(eventsOf(5_000, ' (other)'), undefined).tree.saveSync(file);
    const events = eventsOf(5_000);
    const { tree } = follow(events, file);
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events));
  });

  it('recomputes from the last agreeing sample when the log diverges from the checkpoint', () => {
    const original = eventsOf(10_000);
    follow(original, undefined).tree.saveSync(file);
    // The same log up to 6000, then different events: the checkpoint is wrong from there.
    const events = [...original.slice(0, 6_000), ...eventsOf(10_000, ' (new)').slice(6_000)];
    const { tree } = follow(events, file);
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events));
  });

  it('asks for an event whole only if it came while leaves of its checkpoint were ahead', () => {
    const original = eventsOf(10_000);
    follow(original, undefined).tree.saveSync(file);
    const events = [...original.slice(0, 6_000), ...eventsOf(12_000, ' (new)').slice(6_000)];
    const asked: number[] = [];
    const { tree } = AuditTree.fromCheckpoint(file, {
      ...logOf(events),
      eventAt: (index) => {
        asked.push(index);
        return events[index]!;
      },
    });
    const whole = new Set<number>();
    events.forEach((event, index) => {
      if (tree.checksCheckpoint) whole.add(index);
      tree.apply(event);
    });

    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((index) => !whole.has(index))).toEqual([]);
    expect(whole.size).toBeLessThan(10_000);
    expect(tree.checksCheckpoint).toBe(false);
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events));
    expect(new AuditTree(logOf(events)).checksCheckpoint).toBe(false);
  });

  it('checks its checkpoint until the events have passed its last leaf', () => {
    const events = eventsOf(3_000);
    follow(events.slice(0, 2_000), undefined).tree.saveSync(file);
    const { tree } = AuditTree.fromCheckpoint(file, logOf(events));
    const checking = events.map((event) => {
      const before = tree.checksCheckpoint;
      tree.apply(event);
      return before;
    });
    expect([checking.lastIndexOf(true), checking.indexOf(false)]).toEqual([1_999, 2_000]);
  });

  it('takes the prefix of a checkpoint longer than the log (a restored backup)', () => {
    const events = eventsOf(3_000);
    follow(events, undefined).tree.saveSync(file);
    const { tree } = follow(events.slice(0, 2_500), file);
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events.slice(0, 2_500)));
  });

  it('ignores a checkpoint that is not whole (one byte changed)', () => {
    const events = eventsOf(1_000);
    follow(events, undefined).tree.saveSync(file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(file, bytes);
    const { tree, loaded, problem } = follow(events, file);
    expect(loaded).toBe(0);
    expect(problem).toContain('not a whole checkpoint');
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events));
  });

  it.each([
    ['cut short', (bytes: Buffer) => bytes.subarray(0, bytes.length - 32)],
    ['one byte longer', (bytes: Buffer) => Buffer.concat([bytes, Buffer.of(0)])],
    ['a first leaf changed', (bytes: Buffer) => flip(bytes, 8 + 8 + 32)],
    ['its leaf count changed', (bytes: Buffer) => flip(bytes, 8)],
    ['its magic changed', (bytes: Buffer) => flip(bytes, 0)],
    ['only a header', (bytes: Buffer) => bytes.subarray(0, 8 + 8 + 32)],
    ['empty', () => Buffer.alloc(0)],
  ])('ignores a checkpoint %s, and rebuilds the same tree', (_case, damage) => {
    const events = eventsOf(1_000);
    follow(events, undefined).tree.saveSync(file);
    writeFileSync(file, damage(readFileSync(file)));
    const { tree, loaded, problem } = follow(events, file);
    expect(loaded).toBe(0);
    expect(problem).toContain('not a whole checkpoint');
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events));
  });

  it('says why it cannot read a checkpoint, and starts without one', () => {
    mkdirSync(join(directory, 'a-directory'));
    const events = eventsOf(10);
    const { tree, loaded, problem } = follow(events, join(directory, 'a-directory'));
    expect(loaded).toBe(0);
    expect(problem).toMatch(/^cannot read .*a-directory: EISDIR$/);
    expect(tree.tree.root().toString('hex')).toBe(freshRoot(events));
  });
});

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] ^= 1;
  return copy;
}
