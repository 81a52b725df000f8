/**
 * One run of P2 (a raw scan or a rebuild) in a process of its own, as a server's start
 * rebuilds in a fresh process: what earlier figures and runs left in the benchmark's heap
 * (P1's appends, the previous run's projection) does not weigh on it.
 */
import { P2Request, P2Answer, rebuild, scan } from './p2-rebuild';

async function run({ kind, file, events }: P2Request): Promise<number> {
  return kind === 'scan' ? scan(file, events) : rebuild(file, events);
}

process.once('message', (request: P2Request) => {
  run(request).then(
    (rate) => process.send?.({ rate } satisfies P2Answer, () => process.exit(0)),
    (error: unknown) =>
      process.send?.(
        { error: error instanceof Error ? error.message : String(error) } satisfies P2Answer,
        () => process.exit(1),
      ),
  );
});
