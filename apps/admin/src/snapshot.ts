/**
 * npm run snapshot -- rebuild|renew|verify
 * The operator's hold on the read model's snapshot (SNAPSHOT_FILE): write it afresh from the
 * log or from itself and the log since, or check that a start from it would answer as a
 * rebuild does. The server runs `renew` in a process of its own to write its snapshots.
 */
import { isDeepStrictEqual } from 'node:util';
import { UnknownEventTypeError } from '@partnerships/domain/decode-event';
import type { EventStore, RecordedEvent } from '@partnerships/event-store/event-store';
import { redactEventStoreUrl } from '@partnerships/event-store/event-store-url';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import {
  LastEvent,
  SnapshotHeader,
  describeProblem,
  fitsStore,
  loadProjection,
  projectionSchemaHash,
  takeSnapshot,
  writeFileDurably,
} from '@partnerships/projections/snapshot-file';
import { ConfigurationError, DEFAULT_EVENT_STORE_URL, snapshotConfig } from '../../api/src/config';
import { InputError, openExistingStore, progressBar } from '../../audit/src/cli-support';
import { networkOf } from '../../audit/src/snapshot';
import { USAGE_ERROR, parseCommandLine } from './command-line';
import type { RenewedSnapshot } from '../../api/src/read-model/snapshot-process';

const USAGE = `usage: npm run snapshot -- rebuild|renew|verify
The read model's snapshot: the state a server starts from before following the log.
  rebuild  reads the whole log of the store named by EVENT_STORE_URL and writes the snapshot
           to SNAPSHOT_FILE (default: beside a SQLite file), replacing the one there only
           once the new one is whole on disk; a running server may keep running.
  renew    as rebuild, but starts from the snapshot there when it is usable and reads only
           the log since (what a server does to write its snapshots); otherwise rebuilds.
  verify   says whether the snapshot is usable by this version (whole, of this projection
           code) and whether a start from it answers as a rebuild from the log does (the whole
           network at several pairs of times); exit 0 if so, 1 if not.`;

/** How many events the log had, and the times of a few of them to look at the network at. */
interface Rebuilt {
  readonly projection: NetworkProjection;
  readonly events: number;
  readonly samples: readonly RecordedEvent[];
  readonly lastEvent: LastEvent | undefined;
}

async function main(): Promise<void> {
  const {
    positionals: [verb],
  } = parseCommandLine({ usage: USAGE, options: {}, positionals: { min: 1, max: 1 } });
  if (verb !== 'rebuild' && verb !== 'renew' && verb !== 'verify') {
    console.error(`error: unknown command ${verb} (${USAGE.split('\n')[0]})`);
    process.exit(USAGE_ERROR);
  }
  const url = process.env['EVENT_STORE_URL'] || DEFAULT_EVENT_STORE_URL;
  const { file } = snapshotConfig(process.env, url);
  if (file === undefined) {
    throw new InputError(
      `no snapshot file for ${redactEventStoreUrl(url)}: set SNAPSHOT_FILE (it is off, or the store is not a SQLite file)`,
    );
  }
  const store = openExistingStore(url);
  try {
    process.exitCode =
      verb === 'verify'
        ? await verify(store, file)
        : await write(
            store,
            file,
            verb === 'renew' ? await usableSnapshot(store, file) : undefined,
          );
  } finally {
    await store.close();
  }
}

/** The snapshot at `file` if a start could use it; otherwise why not (undefined: none there). */
async function usableSnapshot(
  store: EventStore,
  file: string,
): Promise<{ projection: NetworkProjection; header: SnapshotHeader } | string | undefined> {
  const loaded = loadProjection(file, projectionSchemaHash());
  if ('problem' in loaded) {
    return loaded.problem.kind === 'missing' ? undefined : describeProblem(file, loaded.problem);
  }
  if (!(await fitsStore(store, loaded.header))) {
    return `snapshot ${file} ignored: the store does not hold its last event at its checkpoint`;
  }
  return loaded;
}

/**
 * Writes the snapshot of the whole log: from `previous` and the log since when it is a
 * usable snapshot, from the first event otherwise. Run by a server (with an IPC channel),
 * it sends the server what it wrote instead of printing it.
 */
async function write(
  store: EventStore,
  file: string,
  previous: { projection: NetworkProjection; header: SnapshotHeader } | string | undefined,
): Promise<number> {
  const started = Date.now();
  const from = typeof previous === 'object' ? previous : undefined;
  const { projection, events, lastEvent } =
    from === undefined ? await rebuildFromLog(store) : await followLog(store, from);
  const taken = takeSnapshot(projection, events, lastEvent);
  await writeFileDurably(file, taken.parts);
  const written: RenewedSnapshot = {
    events,
    bytes: taken.bytes,
    takenAt: taken.header.takenAt,
    durationMs: Date.now() - started,
    fromSnapshot: from?.header.events ?? 0,
    ignored: typeof previous === 'string' ? previous : undefined,
  };
  if (process.send !== undefined) {
    await new Promise<void>((resolve, reject) =>
      process.send!(written, (error: Error | null) => (error ? reject(error) : resolve())),
    );
    // Done: the channel to the server would keep this process alive.
    process.removeAllListeners('disconnect');
    process.disconnect();
    return 0;
  }
  if (written.ignored !== undefined) console.log(`${written.ignored}; rebuilt from the log`);
  console.log(
    `wrote the snapshot ${file}: ${events} events` +
      (from === undefined
        ? ''
        : ` (from the snapshot of ${written.fromSnapshot} and the log since)`) +
      `, ${taken.bytes} bytes, in ${written.durationMs} ms`,
  );
  return 0;
}

/** The projection of a snapshot brought to the end of the log. */
async function followLog(
  store: EventStore,
  { projection, header }: { projection: NetworkProjection; header: SnapshotHeader },
): Promise<Omit<Rebuilt, 'samples'>> {
  const follower = new LogFollower(store, projection, 10_000, ignoreUnknownTypes);
  let events = header.events;
  let lastEvent = header.lastEvent;
  const progress = await progressOf(store, 'following the log', header.checkpoint);
  follower.onEvent((event) => {
    events++;
    lastEvent = { id: event.id, commandId: event.metadata.commandId };
    progress.event();
  });
  await follower.catchUp();
  progress.stop();
  return { projection, events, lastEvent };
}

/**
 * A progress bar on a terminal (nothing otherwise) over the events after `after`; a count
 * without a total where the store cannot count them cheaply.
 */
async function progressOf(
  store: EventStore,
  label: string,
  after: string | undefined,
): Promise<{ event(): void; stop(): void }> {
  const total = await store.countAfter?.(after);
  if (total === 0) return { event: () => undefined, stop: () => undefined };
  const bar = progressBar(process.stderr, label, total);
  let seen = 0;
  return {
    event: () => {
      if (++seen % 10_000 === 0) bar.update(seen);
    },
    stop: () => {
      bar.update(seen);
      bar.stop();
    },
  };
}

async function verify(store: EventStore, file: string): Promise<number> {
  const loaded = loadProjection(file, projectionSchemaHash());
  if ('problem' in loaded) {
    console.log(`not usable: ${describeProblem(file, loaded.problem)}`);
    return 1;
  }
  const { header } = loaded;
  if (!(await fitsStore(store, header))) {
    console.log(
      `not usable: the store does not hold the last event of ${file} at its checkpoint ` +
        '(restored from an older backup, or the snapshot of another store)',
    );
    return 1;
  }
  console.log(
    `snapshot ${file}: whole and of this projection code; ${header.events} events, taken ${new Date(header.takenAt).toISOString()}`,
  );
  // Both follow the log to its end; while a server writes, the two are brought level.
  const fromSnapshot = loaded.projection;
  const snapshotFollower = new LogFollower(store, fromSnapshot, 10_000, ignoreUnknownTypes);
  let followed = header.events;
  snapshotFollower.onEvent(() => followed++);
  await snapshotFollower.catchUp();
  const rebuilt = await rebuildFromLog(store);
  let events = rebuilt.events;
  const rebuiltFollower = new LogFollower(store, rebuilt.projection, 10_000, ignoreUnknownTypes);
  rebuiltFollower.onEvent(() => events++);
  for (
    let round = 0;
    round < 5 && fromSnapshot.checkpoint !== rebuilt.projection.checkpoint;
    round++
  ) {
    await snapshotFollower.catchUp();
    await rebuiltFollower.catchUp();
  }
  if (followed !== events || fromSnapshot.checkpoint !== rebuilt.projection.checkpoint) {
    console.log(`differs: a start from the snapshot holds ${followed} events, a rebuild ${events}`);
    return 1;
  }
  const now = new Date();
  // One `now` for both sides: the answer names its times.
  const pairs: [Date, Date][] = [[now, now]];
  for (const event of rebuilt.samples) {
    pairs.push(
      [event.effectiveAt, event.recordedAt],
      [now, event.recordedAt],
      [event.effectiveAt, now],
    );
  }
  for (const [asOf, knownAt] of pairs) {
    if (
      !isDeepStrictEqual(
        await networkOf(fromSnapshot, store, asOf, knownAt),
        await networkOf(rebuilt.projection, store, asOf, knownAt),
      )
    ) {
      console.log(
        `differs: the network at asOf ${asOf.toISOString()}, knownAt ${knownAt.toISOString()} ` +
          'is not the same from the snapshot as from a rebuild; run `npm run snapshot -- rebuild`',
      );
      return 1;
    }
  }
  console.log(
    `matches: a start from it answers as a rebuild from the log does (${events} events, ` +
      `the whole network at ${pairs.length} pairs of times)`,
  );
  return 0;
}

/** The projection of the whole log, with its size and three events spread over it. */
async function rebuildFromLog(store: EventStore): Promise<Rebuilt> {
  const projection = new NetworkProjection();
  const follower = new LogFollower(store, projection, 10_000, ignoreUnknownTypes);
  const seen: RecordedEvent[] = [];
  let events = 0;
  let lastEvent: LastEvent | undefined;
  const progress = await progressOf(store, 'reading the log', undefined);
  follower.onEvent((event) => {
    events++;
    lastEvent = { id: event.id, commandId: event.metadata.commandId };
    // Every 2^k-th event, thinned as the log grows: a handful spread over any length.
    if ((events & (events - 1)) === 0) seen.push(event);
    progress.event();
  });
  await follower.catchUp();
  progress.stop();
  const samples = [seen.at(-3), seen.at(-2), seen.at(-1)].filter(
    (event): event is RecordedEvent => event !== undefined,
  );
  return { projection, events, samples, lastEvent };
}

/** Events of types this version does not know stay in the log, as the server keeps them. */
function ignoreUnknownTypes(error: unknown): void {
  if (!(error instanceof UnknownEventTypeError)) throw error;
}

// Run by a server: a server that is gone wants no snapshot (the next start removes the
// temporary file a write under way leaves).
process.once('disconnect', () => process.exit(1));

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  process.exit(
    error instanceof InputError || error instanceof ConfigurationError ? USAGE_ERROR : 1,
  );
});
