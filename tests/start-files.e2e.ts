import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as AuditTrees from '@partnerships/audit/audit-tree';
import type * as Projections from '@partnerships/projections/network-projection';
import type * as SnapshotFiles from '@partnerships/projections/snapshot-file';
import type * as Reading from '../apps/api/src/read-model/start-files';
import { temporaryDirectory } from './support/test-server';

// The built modules, not the sources jest would load: only they have the thread's script
// beside them, and a snapshot's schema hash is that of the code that reads it.
const DIST = join(__dirname, '..', 'dist');
/* eslint-disable @typescript-eslint/no-require-imports */
const { StartFiles } = require(
  join(DIST, 'apps', 'api', 'src', 'read-model', 'start-files.js'),
) as typeof Reading;
const { AuditTree, checkpointLevels, readAuditCheckpoint } = require(
  join(DIST, 'libs', 'audit', 'src', 'audit-tree.js'),
) as typeof AuditTrees;
const { NetworkProjection } = require(
  join(DIST, 'libs', 'projections', 'src', 'network-projection.js'),
) as typeof Projections;
const { projectionOf, projectionSchemaHash, readSnapshot, takeSnapshot, writeFileDurably } =
  require(join(DIST, 'libs', 'projections', 'src', 'snapshot-file.js')) as typeof SnapshotFiles;
/* eslint-enable @typescript-eslint/no-require-imports */

const noEvents = {
  eventAt: (): never => {
    throw new Error('no events here');
  },
  indexOf: () => undefined,
};

/** Each level's hashes, as bytes. */
function levelsOf(read: AuditTrees.AuditCheckpoint): Buffer[] | undefined {
  return read.levels?.map((level) => level.bytes());
}

/** The checkpoint the thread read, which it must have read (it was given that file). */
async function readAside(
  reading: Reading.StartFiles,
  file: string,
): Promise<Reading.CheckpointMessage> {
  const read = await reading.checkpoint(file);
  if (read === undefined) throw new Error(`the thread did not read ${file}`);
  return read;
}

describe("a start's files read on a thread of their own while the server's code loads", () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  async function files(name: string): Promise<{ snapshot: string; auditTree: string }> {
    const snapshot = join(directory.path, `${name}.snapshot`);
    await writeFileDurably(snapshot, takeSnapshot(new NetworkProjection(), 0, undefined).parts);
    const auditTree = join(directory.path, `${name}.audit-tree`);
    const tree = new AuditTree(noEvents);
    for (let leaf = 0; leaf < 5000; leaf++) tree.tree.append(Buffer.alloc(32, leaf % 251));
    await tree.save(auditTree);
    return { snapshot, auditTree };
  }

  it('hands over the snapshot as read here, and the checkpoint checked, read from its file as the tree asks', async () => {
    const names = await files('whole');
    const aside = StartFiles.readAside(names, 0);
    if (aside === undefined) throw new Error('the built thread is not there: run npm run build');

    const taken = aside.snapshot(names.snapshot);
    const read = taken?.read;
    const here = readSnapshot(names.snapshot, projectionSchemaHash());
    if (read === undefined || !('snapshot' in read) || !('snapshot' in here)) {
      throw new Error(`no snapshot: ${JSON.stringify(read ?? here)}`);
    }
    // Shared with the thread, which takes its checksum meanwhile.
    for (const view of [read.snapshot.state, ...read.snapshot.sections]) {
      expect(Object.prototype.toString.call(view.buffer)).toBe('[object SharedArrayBuffer]');
    }
    expect(read.snapshot.header).toEqual(here.snapshot.header);
    expect(Buffer.isBuffer(read.snapshot.state)).toBe(true);
    expect(read.snapshot.state.equals(here.snapshot.state)).toBe(true);
    // Each section of its own type (jest's realm has other constructors: compared by name).
    const sections = (views: readonly ArrayBufferView[]) =>
      views.map((view) => [
        Object.prototype.toString.call(view),
        Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex'),
      ]);
    expect(sections(read.snapshot.sections)).toEqual(sections(here.snapshot.sections));
    const loaded = projectionOf(read);
    expect('projection' in loaded).toBe(true);
    expect(taken!.checksum()).toBeUndefined();
    // Taken once: a second ask is left to the caller.
    expect(aside.snapshot(names.snapshot)).toBeUndefined();

    const checkpoint = await readAside(aside, names.auditTree);
    expect(checkpoint.problem).toBeUndefined();
    expect(checkpoint.verified?.count).toBe(5000);
    const levels = checkpointLevels(checkpoint.verified!);
    const readHere = readAuditCheckpoint(names.auditTree);
    expect(levelsOf({ levels, problem: undefined })).toEqual(levelsOf(readHere));
    // The lists hold nothing of the file: a leaf appended is the first hash they hold.
    expect(levels[0]!.memory.length).toBeLessThan(5000 * 32);
    const restored = AuditTree.fromRead({ levels, problem: undefined }, noEvents).tree;
    restored.tree.advanceTo(5000);
    const expected = AuditTree.fromRead(readHere, noEvents).tree;
    expected.tree.advanceTo(5000);
    expect(restored.tree.root()).toEqual(expected.tree.root());
    restored.tree.append(Buffer.alloc(32, 7));
    expected.tree.append(Buffer.alloc(32, 7));
    expect(restored.tree.root()).toEqual(expected.tree.root());
    expect(restored.tree.inclusionProof(4999)).toEqual(expected.tree.inclusionProof(4999));
    expect(levels[0]!.memory.subarray(0, 32)).toEqual(Buffer.alloc(32, 7));
  });

  it('hands over a snapshot whose payload was altered, and refuses it once its checksum is taken', async () => {
    const names = await files('altered');
    const bytes = readFileSync(names.snapshot);
    // The last byte of the payload, in its last typed array: the file still reads whole.
    bytes[bytes.length - 1] ^= 0x01;
    writeFileSync(names.snapshot, bytes);
    expect(readSnapshot(names.snapshot, projectionSchemaHash())).toEqual({
      problem: { kind: 'damaged', detail: 'its checksum does not match' },
    });
    const aside = StartFiles.readAside(names, 0)!;
    const taken = aside.snapshot(names.snapshot);
    expect(taken !== undefined && 'snapshot' in taken.read).toBe(true);
    expect(taken!.checksum()).toEqual({ kind: 'damaged', detail: 'its checksum does not match' });
    // Asked again, the same answer, without waiting.
    expect(taken!.checksum()).toEqual({ kind: 'damaged', detail: 'its checksum does not match' });
    expect((await readAside(aside, names.auditTree)).problem).toBeUndefined();
  });

  it("is started by an entry that holds none of the server's code, which it loads after", () => {
    const entry = join(DIST, 'apps', 'api', 'src', 'main.js');
    const text = readFileSync(entry, 'utf8');
    // The server's bundle is required, not inlined: nothing of Nest, GraphQL or the stores.
    expect(text).toContain('require("./server")');
    for (const name of ['NestFactory', 'GraphQLSchema', 'better-sqlite3', 'AuditTree']) {
      expect(text).not.toContain(name);
    }
    expect(text).toContain('start-files-worker');
    expect(statSync(entry).size).toBeLessThan(64 * 1024);
    expect(statSync(join(DIST, 'apps', 'api', 'src', 'server.js')).size).toBeGreaterThan(2 ** 20);
  });

  it('says why a file is not used, and leaves other files to the caller', async () => {
    const names = await files('other');
    // Small files are read where they are needed: a thread would cost more than it saves.
    expect(StartFiles.readAside(names)).toBeUndefined();
    const missing = StartFiles.readAside(
      {
        snapshot: join(directory.path, 'none.snapshot'),
        auditTree: join(directory.path, 'none.audit-tree'),
      },
      0,
    )!;
    const none = missing.snapshot(join(directory.path, 'none.snapshot'));
    expect(none?.read).toEqual({ problem: { kind: 'missing' } });
    expect(none?.checksum()).toBeUndefined();
    // A checkpoint that could not be opened is the caller's to read (and to say why).
    expect(missing.checkpoint(join(directory.path, 'none.audit-tree'))).toBeUndefined();

    const damaged = join(directory.path, 'damaged.audit-tree');
    writeFileSync(damaged, Buffer.from('PTAUDIT1 and not much else'));
    const damagedSnapshot = join(directory.path, 'damaged.snapshot');
    writeFileSync(damagedSnapshot, Buffer.from('not a snapshot at all'));
    const reading = StartFiles.readAside({ snapshot: damagedSnapshot, auditTree: damaged }, 0)!;
    // The checkpoint asked first: the snapshot's message is let go on the way.
    expect(await readAside(reading, damaged)).toEqual({
      verified: undefined,
      problem: `${damaged} is not a whole checkpoint`,
    });
    expect(reading.snapshot(damagedSnapshot)).toBeUndefined();

    // Other files than those it was given are the caller's to read.
    const elsewhere = StartFiles.readAside(names, 0)!;
    expect(elsewhere.snapshot(join(directory.path, 'another.snapshot'))).toBeUndefined();
    expect(elsewhere.checkpoint(damaged)).toBeUndefined();
    expect(elsewhere.checkpoint(undefined)).toBeUndefined();
  });
});
