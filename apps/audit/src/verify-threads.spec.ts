import { cpus } from 'node:os';
import { InputError } from './cli-support';
import { busyCores, coreIsFree, hashingThreads } from './verify-threads';

describe('AUDIT_HASHING_THREADS', () => {
  it('takes 0 or 1 as given; unset leaves it to the machine', () => {
    expect(hashingThreads({ AUDIT_HASHING_THREADS: '0' })).toBe(0);
    expect(hashingThreads({ AUDIT_HASHING_THREADS: '1' })).toBe(1);
    expect(hashingThreads({})).toBeUndefined();
    expect(hashingThreads({ AUDIT_HASHING_THREADS: '' })).toBeUndefined();
  });

  it('unset: a worker only when a core is free for it', () => {
    expect(coreIsFree(2, 0.2)).toBe(true);
    expect(coreIsFree(2, 1.4)).toBe(true);
    expect(coreIsFree(2, 1.6)).toBe(false);
    expect(coreIsFree(2, 6)).toBe(false);
    expect(coreIsFree(1, 0)).toBe(false);
    expect(coreIsFree(8, 5)).toBe(true);
  });

  it('refuses anything else', () => {
    expect(() => hashingThreads({ AUDIT_HASHING_THREADS: '2' })).toThrow(InputError);
  });
});

describe('busyCores', () => {
  it('measures the cores busy over a moment: a thread spinning counts about one', async () => {
    const quiet = await busyCores(100);
    expect(quiet).toBeGreaterThanOrEqual(0);
    expect(quiet).toBeLessThanOrEqual(cpus().length + 0.01);
    // Keeps this thread busy for the whole sample.
    const spinning = busyCores(300);
    const until = Date.now() + 320;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(await spinning).toBeGreaterThan(0.7);
  });

  it("excluding its own: this process's busy thread does not count", async () => {
    // Both over the same moment, so that other work on the machine counts alike in both.
    const all = busyCores(300);
    const others = busyCores(300, true);
    const until = Date.now() + 320;
    while (Date.now() < until) Math.sqrt(Math.random());
    const [withOwn, withoutOwn] = await Promise.all([all, others]);
    expect(withOwn - withoutOwn).toBeGreaterThan(0.5);
  });
});
