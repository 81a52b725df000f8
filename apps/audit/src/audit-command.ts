import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { KeyObject } from 'node:crypto';
import {
  AuditDigest,
  SigningKey,
  SigningKeyError,
  checkSignature,
  issueDigest,
  publicKeyOf,
  signingKeyFromEnv,
} from '@partnerships/audit/digest';
import { fromHex, leafHashLatin1OfText, toHex } from '@partnerships/audit/hashes';
import {
  AuditLeaf,
  canonicalJson,
  eventLeafText,
  leafHash,
  leafOf,
} from '@partnerships/audit/leaf';
import { CheckResult, LogChecks, describeLocation } from '@partnerships/audit/log-checks';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import { verifyConsistency } from '@partnerships/audit/proof-verification';
import { EventStore, RecordedEvent } from '@partnerships/event-store/event-store';
import {
  DEFAULT_EVENT_STORE_URL,
  parseEventStoreUrl,
  redactEventStoreUrl,
} from '@partnerships/event-store/event-store-url';
import {
  AtomicFile,
  InputError,
  Terminal,
  openExistingStore,
  openStore,
  parseTime,
  progressBar,
  readDigestFile,
  readLog,
  readTextFile,
  writeFilesAtomically,
} from './cli-support';
import { readExport } from './export-file';
import { LeafHashingHere, leafHashing } from './leaf-hashing';
import { replayLine } from './replay';
import { CheckedLog, LogMerge, findRepeats, readPart } from './log-partition';
import { CoreSample, PartInWorker, coreIsFree, hashingThreads } from './verify-threads';
import { LogExtent, RowReader, SqliteLogRows, eventOfRow, isPlainRow } from './sqlite-log-rows';
import { snapshotOf } from './snapshot';

export const USAGE = `Usage: npm run audit -- <verb> [options]

Proves the recorded history: a Merkle tree over the log in commit order (RFC 9162), digests
to keep elsewhere, and checks that today's log extends them.

  digest   [--tree-size N] [--out FILE]
           print (or save) the digest of the first N events (default: all), signed when
           AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE is set
  verify   [--digest FILE]... [--against EXPORT] [--public-key FILE]
           check the log: revisions, positions, times, ids, commands, data, replay; with
           digests, that their events are unchanged and the log extends them (and their
           signatures); with an export, name the first leaf that differs
  export   [--out FILE] [--tree-size N]
           the leaves as JSON Lines; with --out also FILE.digest.json for that size
  import   --from FILE --to URL [--digest FILE] [--public-key FILE]
           write an export into an empty store, after checking it against its digest
           (default FILE.digest.json)
  replay   [--until T] [--known-at K] [--stream ID] [--json]
           the history in words, one line per event in commit order
  snapshot --as-of T [--known-at K] [--out FILE]
           the network as JSON, as Query.network(asOf, knownAt) serves it

  --store <EVENT_STORE_URL>  the store to read (default: $EVENT_STORE_URL, else
                             ${DEFAULT_EVENT_STORE_URL}); it is only read, also while the server runs
  --public-key FILE          the server's public key (SPKI PEM, as auditPublicKey serves it) to
                             check signatures; default: that of the configured signing key
  -h, --help                 show this help

Exit status: 0 when everything holds, 1 when a verification fails, 2 for bad usage or input
(nothing is written then).`;

type Verb = 'digest' | 'verify' | 'export' | 'import' | 'replay' | 'snapshot';
type Kind = 'value' | 'values' | 'flag';

const OPTIONS: Readonly<Record<Verb, Readonly<Record<string, Kind>>>> = {
  digest: { '--store': 'value', '--tree-size': 'value', '--out': 'value' },
  verify: {
    '--store': 'value',
    '--digest': 'values',
    '--against': 'value',
    '--public-key': 'value',
  },
  export: { '--store': 'value', '--out': 'value', '--tree-size': 'value' },
  import: { '--from': 'value', '--to': 'value', '--digest': 'value', '--public-key': 'value' },
  replay: {
    '--store': 'value',
    '--until': 'value',
    '--known-at': 'value',
    '--stream': 'value',
    '--json': 'flag',
  },
  snapshot: { '--store': 'value', '--as-of': 'value', '--known-at': 'value', '--out': 'value' },
};

interface Parsed {
  readonly verb: Verb;
  readonly values: ReadonlyMap<string, readonly string[]>;
}

export function parseArguments(args: readonly string[]): Parsed | 'help' {
  if (args.length === 0) throw new InputError('no verb given');
  if (args.some((arg) => arg === '-h' || arg === '--help')) return 'help';
  const [verb, ...rest] = args;
  if (!Object.prototype.hasOwnProperty.call(OPTIONS, verb)) {
    throw new InputError(`unknown verb ${JSON.stringify(verb)}`);
  }
  const known = OPTIONS[verb as Verb];
  const values = new Map<string, string[]>();
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index];
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    const inline = name === arg ? undefined : arg.slice(equals + 1);
    const kind = known[name];
    if (kind === undefined) {
      throw new InputError(`${verb} does not take ${JSON.stringify(redactEventStoreUrl(name))}`);
    }
    if (kind === 'flag') {
      if (inline !== undefined) throw new InputError(`${name} takes no value`);
      values.set(name, ['true']);
      continue;
    }
    const value = inline ?? rest[++index];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new InputError(`${name} needs a value`);
    }
    const list = values.get(name) ?? [];
    if (kind === 'value' && list.length > 0) throw new InputError(`${name} is given twice`);
    list.push(value);
    values.set(name, list);
  }
  return { verb: verb as Verb, values };
}

/** Runs the command line; resolves to the exit status. */
export async function runAudit(args: readonly string[], terminal: Terminal): Promise<number> {
  const say = (message: string) => terminal.stderr.write(`audit: ${message}\n`);
  let parsed: Parsed | 'help';
  try {
    parsed = parseArguments(args);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    say(`${error.message} (npm run audit -- --help)`);
    return 2;
  }
  if (parsed === 'help') {
    terminal.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const context = new Context(parsed, terminal);
  try {
    switch (parsed.verb) {
      case 'digest':
        return await digestVerb(context);
      case 'verify':
        return await verifyVerb(context);
      case 'export':
        return await exportVerb(context);
      case 'import':
        return await importVerb(context);
      case 'replay':
        return await replayVerb(context);
      case 'snapshot':
        return await snapshotVerb(context);
    }
  } catch (error) {
    if (error instanceof InputError) {
      say(error.message);
      return 2;
    }
    if (error instanceof VerificationError) {
      say(error.message);
      return 1;
    }
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await context.close();
  }
}

/** What the data shows is not what it should be: exit status 1. */
class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

class Context {
  private readonly stores: EventStore[] = [];
  private key: SigningKey | undefined | null = null;

  constructor(
    private readonly parsed: Parsed,
    readonly terminal: Terminal,
  ) {}

  value(name: string): string | undefined {
    return this.parsed.values.get(name)?.[0];
  }

  values(name: string): readonly string[] {
    return this.parsed.values.get(name) ?? [];
  }

  get storeUrl(): string {
    return (
      this.value('--store') ?? (this.terminal.env['EVENT_STORE_URL'] || DEFAULT_EVENT_STORE_URL)
    );
  }

  /** The store to read: it must exist. */
  source(): EventStore {
    const store = openExistingStore(this.storeUrl);
    this.stores.push(store);
    return store;
  }

  target(url: string): EventStore {
    const store = openStore(url);
    this.stores.push(store);
    return store;
  }

  signingKey(): SigningKey | undefined {
    if (this.key === null) {
      try {
        this.key = signingKeyFromEnv(this.terminal.env);
      } catch (error) {
        if (error instanceof SigningKeyError) throw new InputError(error.message);
        throw error;
      }
    }
    return this.key;
  }

  /** The key that checks signatures: --public-key, else the configured signing key's. */
  publicKey(): KeyObject | undefined {
    const file = this.value('--public-key');
    if (file === undefined) return this.signingKey()?.publicKey;
    const key = publicKeyOf(readTextFile(file, 'the public key'));
    if (key === undefined) throw new InputError(`${file} is not an Ed25519 public key (SPKI PEM)`);
    return key;
  }

  treeSizeOption(): number | undefined {
    const text = this.value('--tree-size');
    if (text === undefined) return undefined;
    if (!/^(0|[1-9]\d*)$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw new InputError(`--tree-size must be a whole number, not ${JSON.stringify(text)}`);
    }
    return Number(text);
  }

  async close(): Promise<void> {
    for (const store of this.stores.reverse()) await store.close().catch(() => undefined);
  }
}

/**
 * The tree of the whole log as it is read now; its leaves are hashed by a second thread
 * while `onEvent` runs here (leaf-hashing.ts), unless AUDIT_HASHING_THREADS is 0.
 */
async function treeOfLog(
  context: Context,
  label: string,
  onEvent?: (event: RecordedEvent, index: number) => void | Promise<void>,
): Promise<MerkleTree> {
  const source = context.source();
  const hashing =
    onEvent === undefined
      ? new LeafHashingHere()
      : leafHashing(context.storeUrl, context.terminal.env);
  try {
    await readLog(
      source,
      label,
      context.terminal.stderr,
      onEvent ?? (() => undefined),
      (after, page) => hashing.page(after, page),
    );
  } catch (error) {
    await hashing.abandon();
    throw error;
  }
  return hashing.finish();
}

function checkTreeSize(size: number | undefined, tree: MerkleTree): number {
  if (size === undefined) return tree.size;
  if (size > tree.size) {
    throw new InputError(`--tree-size ${size} is beyond the log, which holds ${tree.size} events`);
  }
  return size;
}

function digestJson(digest: AuditDigest): string {
  return `${JSON.stringify(digest, null, 2)}\n`;
}

async function digestVerb(context: Context): Promise<number> {
  const size = context.treeSizeOption();
  const key = context.signingKey();
  const out = context.value('--out');
  const tree = await treeOfLog(context, 'digest');
  const treeSize = checkTreeSize(size, tree);
  const text = digestJson(issueDigest(treeSize, tree.root(treeSize), new Date(), key));
  if (out === undefined) context.terminal.stdout.write(text);
  else {
    writeFilesAtomically([[out, text]]);
    context.terminal.stderr.write(`audit: the digest of ${treeSize} events is in ${out}\n`);
  }
  return 0;
}

interface Line {
  readonly ok: boolean;
  readonly text: string;
}

async function verifyVerb(context: Context): Promise<number> {
  // Every input is read before the log, so that bad input is reported at once.
  const digests = context
    .values('--digest')
    .map((file) => ({ file, digest: readDigestFile(file) }));
  const publicKey = context.publicKey();
  const against = context.value('--against');
  if (against !== undefined && !existsSync(against)) {
    throw new InputError(`the export ${against} does not exist`);
  }
  const exported = against === undefined ? undefined : readExport(against);
  const comparison = new ExportComparison();

  const file = exported === undefined ? sqliteFileOf(context.storeUrl) : undefined;
  let log: CheckedLog;
  if (file !== undefined) {
    log = await checkedRows(context, file);
  } else {
    const checks = new LogChecks();
    const tree = await treeOfLog(
      context,
      'verify',
      exported === undefined
        ? (event) => checks.add(event)
        : async (event, index) => {
            checks.add(event);
            if (!comparison.open) return;
            const next = await exported.next();
            comparison.compare(index, leafOf(event), next.done ? undefined : next.value);
          },
    );
    if (exported !== undefined && comparison.open) {
      const next = await exported.next();
      if (!next.done) comparison.missing(tree.size, next.value);
      await exported.return(undefined);
    }
    log = { results: checks.results(), streamCount: checks.streamCount, tree };
  }
  const tree = log.tree;

  const lines: Line[] = log.results.map(checkLine);
  for (const { file, digest } of digests) lines.push(...digestLines(file, digest, tree, publicKey));
  if (against !== undefined) lines.push(comparison.line(against, tree.size));

  for (const line of lines) {
    context.terminal.stdout.write(`${line.ok ? 'ok  ' : 'FAIL'}  ${line.text}\n`);
  }
  const failed = lines.filter((line) => !line.ok).length;
  context.terminal.stdout.write(
    `${failed === 0 ? 'verified' : 'NOT verified'}: ${tree.size} events in ${log.streamCount} streams, ` +
      `root ${toHex(tree.root())}; ${lines.length - failed} of ${lines.length} checks hold\n`,
  );
  return failed === 0 ? 0 : 1;
}

/** The file of a SQLite store URL (not :memory:), else undefined. */
function sqliteFileOf(url: string): string | undefined {
  try {
    const location = parseEventStoreUrl(url);
    return location.kind === 'sqlite' && location.location !== ':memory:'
      ? location.location
      : undefined;
  } catch {
    return undefined; // openExistingStore reports it.
  }
}

/**
 * verify on a SQLite store: the log read as rows (sqlite-log-rows.ts). With a second
 * thread, each reads and checks half of it (log-partition.ts); else, or when a row is one
 * the STRICT table would refuse, one thread reads it all.
 */
async function checkedRows(context: Context, file: string): Promise<CheckedLog> {
  context.source(); // Opened as for every verb: a missing or foreign file is refused alike.
  const rows = SqliteLogRows.open(file);
  try {
    const extent = rows.extent();
    const threads = hashingThreads(context.terminal.env);
    const cores = availableParallelism();
    const worker =
      threads === 0 || (threads === undefined && cores < 2)
        ? undefined
        : PartInWorker.start(file, extent);
    if (worker !== undefined) {
      const log = await checkedInParts(
        context,
        rows,
        extent,
        worker,
        threads === 1 ? undefined : cores,
      );
      if (log !== undefined) return log;
    }
    return checkedRowsHere(context, rows, extent);
  } finally {
    rows.close();
  }
}

/** Milliseconds over which the machine's other work is measured (CoreSample). */
const CORE_SAMPLE_MS = 200;

/**
 * The log read in two halves, the second by `worker`, merged here; undefined when a row is
 * one the STRICT table would refuse. With `cores` (AUDIT_HASHING_THREADS unset), the worker
 * is kept only if the machine's other work leaves a core free: measured over the first
 * CORE_SAMPLE_MS of the reading (less this process's own use), after which this thread
 * reads the second half too if it is not.
 */
async function checkedInParts(
  context: Context,
  rows: SqliteLogRows,
  extent: LogExtent,
  worker: PartInWorker,
  cores: number | undefined,
): Promise<CheckedLog | undefined> {
  const bar = progressBar(context.terminal.stderr, 'verify', extent.room);
  // Until the machine's other work is measured (cores undefined: not to be measured).
  let sample = cores === undefined ? undefined : new CoreSample();
  let alone = false;
  let othersBusy = 0;
  try {
    const here = readPart(rows, extent, 0, (read) => {
      if (sample !== undefined && cores !== undefined && sample.elapsedMs >= CORE_SAMPLE_MS) {
        othersBusy = sample.busyCores(true);
        sample = undefined;
        alone = !coreIsFree(cores, othersBusy);
        if (alone) void worker.abandon();
      }
      bar.update(read + (alone ? 0 : worker.read));
    });
    if (here.kind !== 'read') {
      await worker.abandon();
      return undefined;
    }
    // The second half's rows are merged in as they come, while it is still read.
    const merge = new LogMerge(here, extent.room, rows);
    if (alone) {
      const there = readPart(rows, extent, 1, (read) => bar.update(here.count + read));
      if (there.kind !== 'read') return undefined;
      merge.finish(there);
      return merge.checked(findRepeats([here, there], rows));
    }
    worker.sendKeys(here);
    let failed: unknown;
    worker.onChunk((chunk) => {
      try {
        if (failed === undefined) merge.add(chunk);
      } catch (error) {
        failed = error;
      }
    });
    const there = await worker.finish();
    if (failed !== undefined) throw failed;
    if (there.kind !== 'read') {
      await worker.abandon();
      return undefined;
    }
    // The tree is finished here while the worker finds the repeats.
    merge.finish(there);
    return merge.checked(await worker.repeats());
  } catch (error) {
    await worker.abandon();
    throw error;
  } finally {
    bar.stop();
    if (alone) {
      context.terminal.stderr.write(
        `verify: read on one thread: other work kept ${othersBusy.toFixed(1)} of ${cores} cores ` +
          'busy as it began (AUDIT_HASHING_THREADS=1 reads on two regardless)\n',
      );
    }
  }
}

/** Every row checked and its leaf hashed on this thread, one after another. */
function checkedRowsHere(context: Context, rows: SqliteLogRows, extent: LogExtent): CheckedLog {
  const checks = new LogChecks();
  const tree = MerkleTree.withRoomFor(extent.room);
  const reader = new RowReader();
  const bar = progressBar(context.terminal.stderr, 'verify', extent.room);
  let read = 0;
  try {
    for (const page of rows.pages(extent)) {
      for (const row of page) {
        if (isPlainRow(row)) {
          const event = reader.read(row);
          tree.appendLatin1(reader.leafHash());
          checks.check(event);
        } else {
          const event = eventOfRow(row);
          tree.appendLatin1(leafHashLatin1OfText(eventLeafText(event)));
          checks.add(event);
        }
      }
      read += page.length;
      bar.update(read);
    }
  } finally {
    bar.stop();
  }
  return { results: checks.results(), streamCount: checks.streamCount, tree };
}

function checkLine(result: CheckResult): Line {
  if (result.ok || result.first === undefined) return { ok: true, text: result.description };
  const more = result.failures > 1 ? ` (and ${result.failures - 1} more)` : '';
  return {
    ok: false,
    text: `${result.description}: ${describeLocation(result.first.at)}: ${result.first.problem}${more}`,
  };
}

function digestLines(
  file: string,
  digest: AuditDigest,
  tree: MerkleTree,
  publicKey: KeyObject | undefined,
): Line[] {
  const name = `digest ${file}`;
  const signature = checkSignature(digest, publicKey);
  const lines: Line[] = [{ ok: signature.ok, text: `${name}: signature: ${signature.detail}` }];
  if (digest.treeSize > tree.size) {
    lines.push({
      ok: false,
      text:
        `${name}: it covers ${digest.treeSize} events but the log holds only ${tree.size}: ` +
        'events were removed (deleted or cut off) since it was issued',
    });
    return lines;
  }
  const root = tree.root(digest.treeSize);
  const expected = fromHex(digest.rootHash) as Buffer;
  const unchanged = root.equals(expected);
  lines.push({
    ok: unchanged,
    text: unchanged
      ? `${name}: the first ${digest.treeSize} events are unchanged (root ${digest.rootHash})`
      : `${name}: the first ${digest.treeSize} events have root ${toHex(root)}, the digest says ` +
        `${digest.rootHash}: an event before leaf ${digest.treeSize} was changed, removed, inserted ` +
        'or moved, or the digest is from another log (--against an export names the leaf)',
  });
  const proof = tree.consistencyProof(digest.treeSize, tree.size);
  const extends_ = verifyConsistency(digest.treeSize, tree.size, expected, tree.root(), proof);
  lines.push({
    ok: extends_,
    text: extends_
      ? `${name}: the log of ${tree.size} events extends it (consistency proof of ${proof.length} hashes)`
      : `${name}: the consistency proof from ${digest.treeSize} to ${tree.size} events fails: ` +
        'the log does not extend the digest',
  });
  return lines;
}

/** Compares the log's leaves with an export's, remembering the first that differs. */
class ExportComparison {
  open = true;
  private difference: string | undefined;

  compare(index: number, ours: AuditLeaf, theirs: AuditLeaf | undefined): void {
    if (theirs === undefined) {
      this.open = false; // The log extends the export.
      return;
    }
    if (canonicalJson(ours) === canonicalJson(theirs)) return;
    const members = (Object.keys(ours) as (keyof AuditLeaf)[]).filter(
      (member) => canonicalJson(ours[member]) !== canonicalJson(theirs[member]),
    );
    const where =
      ours.id === theirs.id
        ? `event ${ours.id}, stream ${ours.streamId}, revision ${ours.revision}`
        : `the export has event ${theirs.id} (stream ${theirs.streamId}, revision ${theirs.revision}), ` +
          `the log has event ${ours.id} (stream ${ours.streamId}, revision ${ours.revision})`;
    this.difference = `leaf ${index} differs: ${where}; differing: ${members.join(', ')}`;
    this.open = false;
  }

  missing(index: number, theirs: AuditLeaf): void {
    this.difference =
      `leaf ${index} (event ${theirs.id}, stream ${theirs.streamId}, revision ${theirs.revision}) ` +
      `is in the export but the log ends at ${index} events`;
    this.open = false;
  }

  line(file: string, size: number): Line {
    return this.difference === undefined
      ? {
          ok: true,
          text: `export ${file}: every leaf it holds is the log's (the log holds ${size})`,
        }
      : { ok: false, text: `export ${file}: ${this.difference}` };
  }
}

async function exportVerb(context: Context): Promise<number> {
  const size = context.treeSizeOption();
  const key = context.signingKey();
  const out = context.value('--out');
  const file = out === undefined ? undefined : new AtomicFile(out);
  const lines: string[] = [];
  const limit = size ?? Infinity;
  try {
    const tree = await treeOfLog(context, 'export', (event, index) => {
      if (index >= limit) return;
      const line = `${canonicalJson(leafOf(event))}\n`;
      if (file === undefined) lines.push(line);
      else file.write(line);
    });
    const treeSize = checkTreeSize(size, tree);
    const digest = digestJson(issueDigest(treeSize, tree.root(treeSize), new Date(), key));
    if (file === undefined || out === undefined) {
      context.terminal.stdout.write(lines.join(''));
      return 0;
    }
    writeFilesAtomically([[`${out}.digest.json`, digest]]);
    file.commit();
    context.terminal.stderr.write(
      `audit: exported ${treeSize} events to ${out}, their digest to ${out}.digest.json\n`,
    );
    return 0;
  } catch (error) {
    file?.abandon();
    throw error;
  }
}

async function importVerb(context: Context): Promise<number> {
  const from = context.value('--from');
  const to = context.value('--to');
  if (from === undefined || to === undefined) throw new InputError('import needs --from and --to');
  const digestFile = context.value('--digest') ?? `${from}.digest.json`;
  if (context.value('--digest') === undefined && !existsSync(digestFile)) {
    throw new InputError(
      `no digest to check ${from} against: give --digest FILE (or keep ${digestFile})`,
    );
  }
  const digest = readDigestFile(digestFile);
  const publicKey = context.publicKey();

  const leaves: AuditLeaf[] = [];
  const tree = new MerkleTree();
  for await (const leaf of readExport(from)) {
    leaves.push(leaf);
    tree.append(leafHash(leaf));
  }
  const lines = digestLines(digestFile, digest, tree, publicKey);
  const failed = lines.find((line) => !line.ok);
  if (failed !== undefined) {
    throw new VerificationError(`refused, nothing was written: ${failed.text}`);
  }

  const target = context.target(to);
  const present = await target.readAll({ limit: 1 });
  if (present.length > 0) {
    throw new InputError(`refused, nothing was written: ${redactEventStoreUrl(to)} is not empty`);
  }
  if (target.importRecorded === undefined) {
    throw new InputError(`${redactEventStoreUrl(to)} cannot import recorded events`);
  }
  await target.importRecorded(leaves.map(recordedEventOf));
  context.terminal.stderr.write(
    `audit: imported ${leaves.length} events into ${redactEventStoreUrl(to)}; the first ` +
      `${digest.treeSize} match the digest ${digestFile}\n`,
  );
  return 0;
}

/** The event a leaf records; what the leaf does not carry is derived from its command. */
function recordedEventOf(leaf: AuditLeaf): RecordedEvent {
  const commandId = leaf.commandId ?? leaf.id;
  return {
    id: leaf.id,
    streamId: leaf.streamId,
    revision: leaf.revision,
    position: '',
    type: leaf.type,
    data: leaf.data as Record<string, unknown>,
    effectiveAt: new Date(leaf.effectiveAt),
    recordedAt: new Date(leaf.recordedAt),
    metadata: {
      actor: leaf.actor,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      // Not in the leaf: an imported command repeated later is taken as a reuse of its id.
      commandDigest: 'imported',
    },
    schemaVersion: leaf.schemaVersion,
  };
}

async function replayVerb(context: Context): Promise<number> {
  const until = optionalTime(context, '--until');
  const knownAt = optionalTime(context, '--known-at');
  const stream = context.value('--stream');
  const json = context.value('--json') !== undefined;
  const names = new Map<string, string>();
  const out: string[] = [];
  await readLog(context.source(), 'replay', context.terminal.stderr, (event) => {
    if (knownAt !== undefined && event.recordedAt.getTime() > knownAt.getTime()) return;
    const line = replayLine(event, names);
    if (until !== undefined && event.effectiveAt.getTime() > until.getTime()) return;
    if (stream !== undefined && event.streamId !== stream) return;
    out.push(
      json
        ? JSON.stringify({
            effectiveAt: event.effectiveAt.toISOString(),
            recordedAt: event.recordedAt.toISOString(),
            actor: event.metadata.actor,
            eventId: event.id,
            streamId: event.streamId,
            revision: event.revision,
            type: event.type,
            text: line,
          })
        : line,
    );
    if (out.length >= 10_000) context.terminal.stdout.write(`${out.splice(0).join('\n')}\n`);
  });
  if (out.length > 0) context.terminal.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

function optionalTime(context: Context, flag: string): Date | undefined {
  const value = context.value(flag);
  return value === undefined ? undefined : parseTime(flag, value);
}

async function snapshotVerb(context: Context): Promise<number> {
  const asOfText = context.value('--as-of');
  if (asOfText === undefined) throw new InputError('snapshot needs --as-of');
  const asOf = parseTime('--as-of', asOfText);
  const knownAt = optionalTime(context, '--known-at');
  const out = context.value('--out');
  const text = `${JSON.stringify(await snapshotOf(context.source(), asOf, knownAt, context.terminal.stderr), null, 2)}\n`;
  if (out === undefined) context.terminal.stdout.write(text);
  else writeFilesAtomically([[out, text]]);
  return 0;
}
