/** Progress lines on stderr, so that stdout carries only the table. */

export function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * Says how far a loop is at most once per interval. Called from inside the loop: a loop of
 * resolved promises or of synchronous work never lets a timer run.
 */
export class Ticker {
  private next: number;

  constructor(
    private readonly label: string,
    private readonly everyMs = 1_000,
  ) {
    this.next = performance.now() + everyMs;
  }

  tick(describe: () => string): void {
    const now = performance.now();
    if (now < this.next) return;
    this.next = now + this.everyMs;
    say(`${this.label}: ${describe()}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` settles within `ms`; the timer never outlives the answer. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The p-th percentile (0-100) of samples, by the nearest-rank method. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}
