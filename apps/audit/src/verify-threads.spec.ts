import { InputError } from './cli-support';
import { CoreSample, coreIsFree, hashingThreads } from './verify-threads';

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

/** The sample's busy cores after `ms`, this thread spinning for all of them. */
function spinning(sample: CoreSample, ms: number, excludingOwn: boolean): number {
  while (sample.elapsedMs < ms) Math.sqrt(Math.random());
  return sample.busyCores(excludingOwn);
}

describe('CoreSample', () => {
  it('measures the cores busy over a moment: a thread spinning counts about one', () => {
    expect(spinning(new CoreSample(), 300, false)).toBeGreaterThan(0.7);
  });

  it("excluding its own: this process's busy thread does not count", () => {
    // Both over the same moment, so that other work on the machine counts alike in both.
    const sample = new CoreSample();
    const withOwn = spinning(sample, 300, false);
    const withoutOwn = sample.busyCores(true);
    expect(withOwn - withoutOwn).toBeGreaterThan(0.5);
  });
});
