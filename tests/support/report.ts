/**
 * Prints figures a test run is quoted by (cycles, counts, seeds). Jest shows console output
 * beside the test file's result.
 */
export function report(line: string): void {
  // eslint-disable-next-line no-console -- these figures are the point of the run
  console.log(line);
}

/** mulberry32: a small seeded generator, so that a printed seed replays the same choices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from the environment variable when set (to replay a run), else a fresh one. */
export function seedFrom(variable: string): number {
  const given = process.env[variable];
  if (given !== undefined && given !== '') return Number(given) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
