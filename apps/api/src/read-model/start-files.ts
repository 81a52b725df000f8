import { closeSync, openSync, statSync } from 'node:fs';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { builtWorker } from '@partnerships/event-store/built-worker';
import type { SnapshotProblem, SnapshotRead } from '@partnerships/projections/snapshot-file';
import { CHECKSUM_MISMATCH, checksumProblem } from '@partnerships/projections/snapshot-checksum';
import type { VerifiedCheckpoint } from '@partnerships/audit/audit-tree';

/** The StartFiles of this process, injected by this token (absent: the files are read when needed). */
export const START_FILES = Symbol('StartFiles');

/** The start files the server reads, as its configuration names them (undefined: none). */
export interface StartFileNames {
  readonly snapshot: string | undefined;
  readonly auditTree: string | undefined;
}

/** What the thread was given. */
export interface StartFilesData {
  readonly files: StartFileNames;
  /** Where it posts the two messages below, in this order. */
  readonly port: MessagePort;
  /**
   * Two flags: the first set to 1 once the snapshot's message is posted; the second once
   * its checksum is taken, to one of CHECKSUM.
   */
  readonly posted: SharedArrayBuffer;
  /**
   * The checkpoint, opened by the thread that started it (a file a thread opens is closed
   * when the thread ends), for it to check; undefined when it could not be opened.
   */
  readonly checkpointFd: number | undefined;
}

/**
 * The first message: the snapshot read but not yet checked (its memory shared, not copied),
 * or why the thread could not.
 */
export type SnapshotMessage =
  | { readonly kind: 'snapshot'; readonly read: SnapshotRead | undefined }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * The second flag: what the thread found of the checksum of the snapshot it posted
 * (`failed`: it could not take it, and the starting thread takes it itself).
 */
export const CHECKSUM = { pending: 0, agrees: 1, differs: 2, failed: 3 } as const;

/** The snapshot as the thread read it, and the check of its checksum it goes on with. */
export interface SnapshotAside {
  readonly read: SnapshotRead;
  /**
   * Waits for the thread's check of the checksum: why the snapshot must not be used, or
   * undefined when it may. Nothing decoded from `read` may be used before.
   */
  checksum(): SnapshotProblem | undefined;
}

/**
 * The second: the checkpoint found whole (its file left open, for checkpointLevels), or why
 * it is not used.
 */
export interface CheckpointMessage {
  readonly problem: string | undefined;
  readonly verified: VerifiedCheckpoint | undefined;
}

/**
 * Below this many bytes in the two files together, the thread costs more than it saves:
 * an empty store started 0.12 s later with it (median of 6, alternating with the build
 * before), a million events' files (130 MB) about 0.3 s sooner.
 */
const ASIDE_FROM_BYTES = 32 * 2 ** 20;

/** How long a start waits for the snapshot before it reads the file itself. */
const SNAPSHOT_WAIT_MS = 300_000;

/**
 * The files a start reads before it serves, the read model's snapshot and the audit tree's
 * checkpoint, read and checked (each by its SHA-256) on a thread of their own from the first
 * moment of the process, while this thread loads the server's code. On the 2-core bench
 * machine that code takes 1.2-1.8 s to load, and reading a million events' files
 * (130 MB) took another 0.5 s after it; now the second core does that in the meantime.
 *
 * The snapshot is handed over synchronously (the read model is built in a constructor):
 * the thread posts it and raises a flag this thread waits on. The checkpoint follows as a
 * promise, needed only once the snapshot is decoded. Where no built thread is there (the
 * sources under test) nothing is read aside: the read model reads the files itself.
 *
 * The server's first module starts it (main.ts), before the server's own bundle is even
 * read: this module therefore loads nothing of the audit or projection code (their types
 * only), and hands over memory, not their objects.
 */
export class StartFiles {
  private snapshotTaken = false;
  private checkpointRead: Promise<CheckpointMessage> | undefined;
  /** The thread's end (its exit code), told whenever it comes, before or after the checkpoint is asked for. */
  private readonly ended: Promise<number>;

  private constructor(
    readonly files: StartFileNames,
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly posted: Int32Array,
    private readonly checkpointFd: number | undefined,
  ) {
    this.ended = new Promise((resolve) => worker.once('exit', resolve));
    // An error ends the thread too (exit code 1): the checkpoint is then read here.
    worker.on('error', () => undefined);
    // The thread must never keep a process alive that is done with its files.
    worker.unref();
  }

  static readAside(
    files: StartFileNames,
    asideFromBytes: number = ASIDE_FROM_BYTES,
  ): StartFiles | undefined {
    const script = builtWorker(__dirname, 'start-files-worker');
    if (script === undefined || sizeOf(files.snapshot) + sizeOf(files.auditTree) < asideFromBytes) {
      return undefined;
    }
    const { port1, port2 } = new MessageChannel();
    const posted = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    let checkpointFd: number | undefined;
    try {
      if (files.auditTree !== undefined) checkpointFd = openSync(files.auditTree, 'r');
    } catch {
      // Missing or unreadable: the read model reads it itself, and says why if need be.
    }
    const workerData: StartFilesData = { files, port: port2, posted, checkpointFd };
    const worker = new Worker(script, { workerData, transferList: [port2] });
    return new StartFiles(files, worker, port1, new Int32Array(posted), checkpointFd);
  }

  /**
   * The snapshot at `file` as the thread read it, waiting for it if need be; undefined when
   * the thread read another file or none, or failed: the caller then reads it itself.
   * Taken once. The thread goes on to check its checksum while the caller decodes it.
   */
  snapshot(file: string | undefined): SnapshotAside | undefined {
    if (this.snapshotTaken) return undefined;
    this.snapshotTaken = true;
    if (Atomics.wait(this.posted, 0, 0, SNAPSHOT_WAIT_MS) === 'timed-out') return undefined;
    const message = receiveMessageOnPort(this.port)?.message as SnapshotMessage | undefined;
    if (message?.kind !== 'snapshot' || message.read === undefined) return undefined;
    if (file !== this.files.snapshot) return undefined;
    if ('problem' in message.read) return { read: message.read, checksum: () => undefined };
    const { header, state, sections } = message.read.snapshot;
    // A Buffer crosses threads as a plain Uint8Array over the same memory.
    const snapshot = {
      header,
      state: Buffer.from(state.buffer, state.byteOffset, state.length),
      sections,
    };
    return {
      read: { snapshot },
      checksum: () => {
        Atomics.wait(this.posted, 1, CHECKSUM.pending, SNAPSHOT_WAIT_MS);
        switch (Atomics.load(this.posted, 1)) {
          case CHECKSUM.agrees:
            return undefined;
          case CHECKSUM.differs:
            return CHECKSUM_MISMATCH;
          default:
            return checksumProblem(snapshot);
        }
      },
    };
  }

  /**
   * The checkpoint at `file` as the thread checked it, when it comes; undefined when the
   * thread checked another file or none: the caller then reads it itself.
   */
  checkpoint(file: string | undefined): Promise<CheckpointMessage> | undefined {
    if (file === undefined || file !== this.files.auditTree) return undefined;
    if (this.checkpointFd === undefined) {
      this.snapshot(undefined);
      this.port.close();
      void this.worker.terminate();
      return undefined;
    }
    this.checkpointRead ??= this.receiveCheckpoint(file, this.checkpointFd);
    return this.checkpointRead;
  }

  private receiveCheckpoint(file: string, fd: number): Promise<CheckpointMessage> {
    // The snapshot's message comes first: taken (and let go) if the read model did not.
    this.snapshot(undefined);
    const worker = this.worker;
    const port = this.port;
    return new Promise<CheckpointMessage>((resolve) => {
      const received = (message: CheckpointMessage) => resolve(message);
      const failed = (why: string) =>
        resolve({ verified: undefined, problem: `cannot read ${file}: ${why}` });
      port.once('message', received);
      // The thread posts before it ends, but its end may be told before the message.
      void this.ended.then((code) => {
        const message = receiveMessageOnPort(port)?.message as CheckpointMessage | undefined;
        if (message !== undefined) received(message);
        else failed(`the reading thread stopped (exit code ${code})`);
      });
    })
      .then((message) => {
        // A checkpoint not used is not kept open.
        if (message.verified === undefined) closeSync(fd);
        return message;
      })
      .finally(() => {
        this.port.close();
        void worker.terminate();
      });
  }
}

/** The file's size; 0 when there is none or it cannot be told (its reader then says why). */
function sizeOf(file: string | undefined): number {
  if (file === undefined) return 0;
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
