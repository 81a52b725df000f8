import { createHash } from 'node:crypto';
import { HashList, MerkleTree, TreeBuilder } from './merkle-tree';
import { verifyConsistency, verifyInclusion } from './proof-verification';

/*
 * An independent, minimal reading of RFC 9162 §2.1 to check the code under test against:
 * the tree hash by plain recursion over all leaves, and proofs checked by rebuilding the
 * roots recursively (not by the RFC's iterative algorithm the code under test uses).
 */
const H = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const split = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return H();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return H(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
/** The root an inclusion path leads to, or undefined when the path has the wrong length. */
function rootFromPath(m: number, n: number, leaf: Buffer, path: Buffer[]): Buffer | undefined {
  if (n === 1) return path.length === 0 ? leaf : undefined;
  if (path.length === 0) return undefined;
  const k = split(n);
  const sibling = path[path.length - 1];
  const rest = path.slice(0, -1);
  if (m < k) {
    const left = rootFromPath(m, k, leaf, rest);
    return left && H(Buffer.from([1]), left, sibling);
  }
  const right = rootFromPath(m - k, n - k, leaf, rest);
  return right && H(Buffer.from([1]), sibling, right);
}
/** The old and new roots a consistency proof leads to (SUBPROOF read backwards). */
function rootsFromProof(
  m: number,
  n: number,
  proof: Buffer[],
  complete: boolean,
  firstRoot: Buffer,
): [Buffer, Buffer] | undefined {
  if (m === n) {
    if (complete) return proof.length === 0 ? [firstRoot, firstRoot] : undefined;
    return proof.length === 1 ? [proof[0], proof[0]] : undefined;
  }
  if (proof.length === 0) return undefined;
  const k = split(n);
  const outer = proof[proof.length - 1];
  const rest = proof.slice(0, -1);
  if (m <= k) {
    const inner = rootsFromProof(m, k, rest, complete, firstRoot);
    return inner && [inner[0], H(Buffer.from([1]), inner[1], outer)];
  }
  const inner = rootsFromProof(m - k, n - k, rest, false, firstRoot);
  return inner && [H(Buffer.from([1]), outer, inner[0]), H(Buffer.from([1]), outer, inner[1])];
}

function leavesOf(n: number, seed = 0): Buffer[] {
  return Array.from({ length: n }, (_, i) => H(Buffer.from([0]), Buffer.from(`leaf ${seed}/${i}`)));
}

function treeOf(leaves: Buffer[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.append(leaf);
  return tree;
}

/** 0, 1, powers of two and their neighbours, and a few random sizes (fixed seed). */
function sizes(): number[] {
  const picked = new Set([0, 1, 2, 3]);
  for (let k = 1; k <= 8; k++) for (const d of [-1, 0, 1]) picked.add(2 ** k + d);
  let state = 12345;
  for (let i = 0; i < 12; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    picked.add(state % 300);
  }
  return [...picked].sort((a, b) => a - b);
}

describe('the Merkle tree (RFC 9162)', () => {
  const all = leavesOf(300);
  const prefixRoots = new Map<number, Buffer>();
  const rootOfPrefix = (n: number): Buffer => {
    let root = prefixRoots.get(n);
    if (root === undefined) prefixRoots.set(n, (root = mth(all.slice(0, n))));
    return root;
  };

  it.each(sizes())('has the RFC root over %i leaves', (n) => {
    expect(treeOf(all.slice(0, n)).root().toString('hex')).toBe(
      mth(all.slice(0, n)).toString('hex'),
    );
  });

  it('is e3b0c442… (SHA-256 of nothing) when empty', () => {
    expect(new MerkleTree().root().toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('gives the root of every earlier size from one tree', () => {
    const tree = treeOf(all.slice(0, 130));
    for (const n of sizes().filter((size) => size <= 130)) {
      expect(tree.root(n).equals(mth(all.slice(0, n)))).toBe(true);
    }
  });

  it.each(sizes().filter((n) => n > 0))(
    'proves the inclusion of every leaf in a tree of %i leaves',
    (n) => {
      const tree = treeOf(all.slice(0, 300));
      const root = rootOfPrefix(n);
      for (let m = 0; m < n; m++) {
        const path = tree.inclusionProof(m, n);
        expect(rootFromPath(m, n, all[m], path)?.equals(root)).toBe(true);
        expect(verifyInclusion(m, n, all[m], path, root)).toBe(true);
        // Another leaf, another index or another root is refused.
        expect(verifyInclusion(m, n, all[(m + 1) % 300], path, root)).toBe(false);
        expect(verifyInclusion(m, n, all[m], path, H(Buffer.from('x')))).toBe(false);
        if (n > 1) expect(verifyInclusion((m + 1) % n, n, all[m], path, root)).toBe(false);
      }
    },
  );

  it.each(sizes().filter((n) => n > 0))('proves every earlier size consistent with %i', (n) => {
    const tree = treeOf(all.slice(0, n));
    const second = rootOfPrefix(n);
    for (let m = 0; m <= n; m++) {
      const first = rootOfPrefix(m);
      const proof = tree.consistencyProof(m, n);
      if (m > 0 && m < n) {
        expect(rootsFromProof(m, n, proof, true, first)?.map((h) => h.toString('hex'))).toEqual([
          first.toString('hex'),
          second.toString('hex'),
        ]);
      } else {
        expect(proof).toEqual([]);
      }
      expect(verifyConsistency(m, n, first, second, proof)).toBe(true);
      if (m > 0 && m < n) {
        // A root from another log, or a proof cut short, is refused.
        const other = mth(leavesOf(m, 1));
        expect(verifyConsistency(m, n, other, second, proof)).toBe(false);
        expect(verifyConsistency(m, n, first, second, proof.slice(1))).toBe(false);
      }
    }
  });

  it('refuses sizes beyond the tree and leaves outside it', () => {
    const tree = treeOf(all.slice(0, 5));
    expect(() => tree.root(6)).toThrow(RangeError);
    expect(() => tree.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(3, 6)).toThrow(RangeError);
    expect(() => tree.consistencyProof(-1, 5)).toThrow(RangeError);
  });

  it('keeps its levels through truncate and append', () => {
    const tree = treeOf(all.slice(0, 100));
    tree.truncate(37);
    for (const leaf of leavesOf(20, 2)) tree.append(leaf);
    expect(tree.root().equals(mth([...all.slice(0, 37), ...leavesOf(20, 2)]))).toBe(true);
  });

  it.each([
    [0, 0],
    [1, 1],
    [64, 64],
    [65, 64],
    [100, 37],
    [10, 100],
  ])('made with room for %i leaves, holds %i as a grown tree does', (room, count) => {
    const leaves = all.slice(0, count);
    const tree = MerkleTree.withRoomFor(room);
    for (const leaf of leaves) tree.append(leaf);
    const grown = treeOf(leaves);
    expect(tree.size).toBe(count);
    expect(tree.root().equals(mth(leaves))).toBe(true);
    expect(Buffer.concat(tree.levelBytes()).equals(Buffer.concat(grown.levelBytes()))).toBe(true);
    if (count > 1) {
      expect(tree.consistencyProof(count - 1)).toEqual(grown.consistencyProof(count - 1));
      expect(tree.inclusionProof(0)).toEqual(grown.inclusionProof(0));
    }
  });
});

describe('MerkleTree from the levels of another (a hashing thread hands them over)', () => {
  const leaves = Array.from({ length: 77 }, (_, i) =>
    H(Buffer.from([0]), Buffer.from(`leaf ${i}`)),
  );

  it('has the roots and proofs of the tree it was made from, and of the RFC', () => {
    const built = new MerkleTree();
    for (const leaf of leaves) built.appendLatin1(leaf.toString('latin1'));
    const levels = built
      .levelBytes()
      .map((bytes) => HashList.over(Buffer.from(bytes), bytes.length / 32));
    const tree = new MerkleTree(levels);
    tree.advanceTo(77);
    expect(tree.size).toBe(77);
    for (const n of [1, 2, 3, 31, 64, 76, 77]) {
      expect(tree.root(n)).toEqual(mth(leaves.slice(0, n)));
      expect(tree.consistencyProof(n % 40, n)).toEqual(built.consistencyProof(n % 40, n));
    }
    expect(tree.inclusionProof(50)).toEqual(built.inclusionProof(50));
    // It grows on past what it was handed, as a tree built leaf by leaf does.
    const extra = H(Buffer.from([0]), Buffer.from('leaf 77'));
    tree.append(extra);
    expect(tree.root()).toEqual(mth([...leaves, extra]));
  });

  it('grows into the room its levels were handed with, in place, and past it', () => {
    const built = new MerkleTree();
    for (const leaf of leaves.slice(0, 40)) built.append(leaf);
    // Each level's memory as a checkpoint's reader hands it over: its hashes, then room.
    const memories = built.levelBytes().map((bytes) => {
      const memory = Buffer.alloc(bytes.length + 3 * 32);
      bytes.copy(memory);
      return memory;
    });
    const levels = memories.map((memory) => HashList.over(memory, memory.length / 32 - 3));
    expect(levels[0]!.memory).toBe(memories[0]);
    const tree = new MerkleTree(levels);
    tree.advanceTo(40);
    for (const leaf of leaves.slice(40, 43)) tree.append(leaf);
    expect(levels[0]!.memory).toBe(memories[0]);
    expect(memories[0]!.subarray(40 * 32)).toEqual(Buffer.concat(leaves.slice(40, 43)));
    for (const leaf of leaves.slice(43)) tree.append(leaf);
    expect(levels[0]!.memory).not.toBe(memories[0]);
    expect(tree.root()).toEqual(mth(leaves));
    expect(() => HashList.over(Buffer.alloc(63), 2)).toThrow(RangeError);
  });

  it('refuses to advance past the leaves it holds, or back', () => {
    const built = new MerkleTree();
    for (const leaf of leaves.slice(0, 5)) built.append(leaf);
    const tree = new MerkleTree(
      built.levelBytes().map((bytes) => HashList.over(bytes, bytes.length / 32)),
    );
    expect(() => tree.advanceTo(6)).toThrow(RangeError);
    tree.advanceTo(5);
    expect(() => tree.advanceTo(4)).toThrow(RangeError);
  });
});

describe('TreeBuilder (a tree built level by level over a buffer of leaf hashes)', () => {
  it('is the tree of the same leaves appended one by one, at sizes around powers of two', () => {
    for (const size of [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100]) {
      const leaves = Array.from({ length: size }, (_, i) =>
        H(Buffer.from([0]), Buffer.from(`leaf ${i}`)),
      );
      const built = new MerkleTree();
      for (const leaf of leaves) built.append(leaf);
      // On a 4-byte boundary, and not (then its words are read from a copy).
      for (const offset of [0, 5]) {
        const bytes = Buffer.concat([Buffer.alloc(offset), ...leaves, Buffer.alloc(64)]);
        const tree = new TreeBuilder(bytes.subarray(offset), size).tree(size);
        expect(tree.size).toBe(size);
        expect(tree.root()).toEqual(mth(leaves));
        expect(tree.levelBytes()).toEqual(built.levelBytes());
        // It grows as any tree does.
        const next = H(Buffer.from([0]), Buffer.from('one more'));
        tree.append(next);
        expect(tree.root()).toEqual(mth([...leaves, next]));
      }
    }
  });

  it('is the same tree when grown in steps (TreeBuilder), as verify merges the log', () => {
    const leaves = Array.from({ length: 100 }, (_, i) => H(Buffer.from([0]), Buffer.from(`${i}`)));
    for (const offset of [0, 5]) {
      const bytes = Buffer.concat([Buffer.alloc(offset), ...leaves]).subarray(offset);
      const builder = new TreeBuilder(bytes, 100);
      for (const step of [0, 1, 2, 7, 8, 33, 64, 65, 99]) builder.grow(step);
      expect(() => builder.grow(98)).toThrow(RangeError);
      expect(() => builder.grow(101)).toThrow(RangeError);
      const tree = builder.tree(100);
      expect(tree.root()).toEqual(mth(leaves));
      expect(tree.levelBytes()).toEqual(
        new TreeBuilder(Buffer.concat(leaves), 100).tree(100).levelBytes(),
      );
    }
  });

  it('refuses fewer bytes than the leaves need', () => {
    expect(() => new TreeBuilder(Buffer.alloc(63), 2).tree(2)).toThrow(RangeError);
  });
});
