import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditTree, readAuditCheckpoint } from '@partnerships/audit/audit-tree';
import type * as Reading from '../apps/api/src/read-model/audit-checkpoint-reading';
import { temporaryDirectory } from './support/test-server';

// The built module, not the sources jest would load: only it has its worker beside it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readAuditCheckpointAside } = require(
  join(__dirname, '..', 'dist', 'apps', 'api', 'src', 'read-model', 'audit-checkpoint-reading.js'),
) as typeof Reading;

const noEvents = {
  eventAt: (): never => {
    throw new Error('no events here');
  },
  indexOf: () => undefined,
};

/** Each level's hashes, as bytes. */
function levelsOf(read: ReturnType<typeof readAuditCheckpoint>): Buffer[] | undefined {
  return read.levels?.map((level) => Buffer.from(level.memory.subarray(0, level.length * 32)));
}

describe("the audit tree's checkpoint read on a thread of its own (as a start does with a large one)", () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  it('hands over the levels the file holds, with room to grow, and says why a file is not used', async () => {
    const file = join(directory.path, 'tree.audit-tree');
    const tree = new AuditTree(noEvents);
    for (let leaf = 0; leaf < 5000; leaf++) {
      tree.tree.append(Buffer.alloc(32, leaf % 251));
    }
    await tree.save(file);
    const here = readAuditCheckpoint(file);
    const aside = await readAuditCheckpointAside(file, 0);
    expect(aside.problem).toBeUndefined();
    expect(levelsOf(aside)).toEqual(levelsOf(here));
    expect(aside.levels![0]!.length).toBe(5000);
    const restored = AuditTree.fromRead(aside, noEvents).tree;
    restored.tree.advanceTo(5000);
    expect(restored.tree.root()).toEqual(tree.tree.root());
    // Room past its hashes: the next leaves go in place.
    const memory = aside.levels![0]!.memory;
    expect(memory.length).toBeGreaterThan(5000 * 32);
    restored.tree.append(Buffer.alloc(32, 7));
    expect(aside.levels![0]!.memory).toBe(memory);

    expect(await readAuditCheckpointAside(join(directory.path, 'none'), 0)).toEqual({
      levels: undefined,
      problem: undefined,
    });
    const damaged = join(directory.path, 'damaged.audit-tree');
    writeFileSync(damaged, Buffer.from('PTAUDIT1 and not much else'));
    expect(await readAuditCheckpointAside(damaged, 0)).toEqual({
      levels: undefined,
      problem: `${damaged} is not a whole checkpoint`,
    });
  });
});
