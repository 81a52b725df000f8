import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EventToAppend } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { UsageError, parseArguments, runMigrate } from './migrate-command';

describe('parseArguments', () => {
  it.each([
    [['--from', 'sqlite:a.db', '--to', 'sqlite:b.db'], false, undefined],
    [['--to=sqlite:b.db', '--from=sqlite:a.db', '--json'], true, undefined],
    [['--from', 'sqlite:a.db', '--to', 'sqlite:b.db', '--page-size', '250'], false, 250],
  ])('reads %j', (args, json, pageSize) => {
    expect(parseArguments(args)).toEqual({
      kind: 'migrate',
      from: 'sqlite:a.db',
      to: 'sqlite:b.db',
      json,
      pageSize,
    });
  });

  it('keeps an esdb URL whole, = and & included', () => {
    const to = 'esdb://admin:changeit@node1:2113,node2:2113?tls=false&nodePreference=leader';

    expect(parseArguments(['--from', 'sqlite:a.db', `--to=${to}`])).toMatchObject({ to });
  });

  it.each([['-h'], ['--help'], ['--from', 'sqlite:a.db', '--help']])(
    'reads %j as help',
    (...args) => {
      expect(parseArguments(args)).toEqual({ kind: 'help' });
    },
  );

  it.each([
    [[]],
    [['--from', 'sqlite:a.db']],
    [['--to', 'sqlite:b.db']],
    [['--from', '--to', 'sqlite:b.db']],
    [['--from', 'sqlite:a.db', '--to']],
    [['--from=', '--to', 'sqlite:b.db']],
    [['--from', 'sqlite:a.db', '--from', 'sqlite:c.db', '--to', 'sqlite:b.db']],
    [['--from', 'sqlite:a.db', '--to', 'sqlite:a.db']],
    [['--from', 'sqlite:a.db', '--to', 'sqlite:b.db', '--dry-run']],
    [['sqlite:a.db', 'sqlite:b.db']],
    [['--from', 'sqlite:a.db', '--to', 'sqlite:b.db', '--page-size', '0']],
    [['--from', 'sqlite:a.db', '--to', 'sqlite:b.db', '--page-size', '1e3']],
    [['--from', 'sqlite:a.db', '--to', 'sqlite:b.db', '--page-size', '1000000']],
  ])('refuses %j', (args) => {
    expect(() => parseArguments(args)).toThrow(UsageError);
  });
});

describe('runMigrate', () => {
  let directory: string;
  let source: string;
  let target: string;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'migrate-command-'));
    source = join(directory, 'source.db');
    target = join(directory, 'target.db');
    const store = SqliteEventStore.open(source);
    await store.append(`organization-${randomUUID()}`, [newEvent(), newEvent()], 0);
    await store.append(`group-${randomUUID()}`, [newEvent()], 0);
    await store.close();
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('copies the log, prints a summary and exits 0', async () => {
    const terminal = new CapturedTerminal();

    const status = await runMigrate(
      ['--from', `sqlite:${source}`, '--to', `sqlite:${target}`, '--json'],
      terminal,
    );

    expect(status).toBe(0);
    expect(terminal.summary()).toMatchObject({ copied: 3, skipped: 0, complete: true });
    const copy = SqliteEventStore.open(target);
    try {
      await expect(copy.countAll()).resolves.toBe(3);
    } finally {
      await copy.close();
    }
  });

  it('copies nothing the second time', async () => {
    const args = ['--from', `sqlite:${source}`, '--to', `sqlite:${target}`, '--json'];
    await runMigrate(args, new CapturedTerminal());
    const terminal = new CapturedTerminal();

    await expect(runMigrate(args, terminal)).resolves.toBe(0);
    expect(terminal.summary()).toMatchObject({ copied: 0, skipped: 3 });
  });

  it('exits 1 and writes nothing into a target that holds other events', async () => {
    const other = SqliteEventStore.open(target);
    await other.append(`group-${randomUUID()}`, [newEvent()], 0);
    await other.close();
    const terminal = new CapturedTerminal();

    const status = await runMigrate(
      ['--from', `sqlite:${source}`, '--to', `sqlite:${target}`],
      terminal,
    );

    expect(status).toBe(1);
    expect(terminal.stderr.text()).not.toBe('');
    const unchanged = SqliteEventStore.open(target);
    try {
      await expect(unchanged.countAll()).resolves.toBe(1);
    } finally {
      await unchanged.close();
    }
  });

  it('exits 1 without creating anything when the source file does not exist', async () => {
    const missing = join(directory, 'missing.db');

    const status = await runMigrate(
      ['--from', `sqlite:${missing}`, '--to', `sqlite:${target}`],
      new CapturedTerminal(),
    );

    expect(status).toBe(1);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('exits 1 on a URL it cannot use, 2 on bad arguments (one line)', async () => {
    await expect(
      runMigrate(
        ['--from', `sqlite:${source}`, '--to', 'postgres://db/events'],
        new CapturedTerminal(),
      ),
    ).resolves.toBe(1);
    const terminal = new CapturedTerminal();
    await expect(runMigrate(['--from', `sqlite:${source}`], terminal)).resolves.toBe(2);
    await expect(runMigrate(['--bogus'], terminal)).resolves.toBe(2);
  });

  it('prints the help on stdout and exits 0', async () => {
    const terminal = new CapturedTerminal();

    await expect(runMigrate(['--help'], terminal)).resolves.toBe(0);
    expect(terminal.stdout.text()).not.toBe('');
  });

  it('stops when asked, and exits 1', async () => {
    const controller = new AbortController();
    controller.abort();

    const status = await runMigrate(
      ['--from', `sqlite:${source}`, '--to', `sqlite:${target}`, '--json'],
      new CapturedTerminal(),
      controller.signal,
    );

    expect(status).toBe(1);
  });
});

class CapturedTerminal {
  readonly stdout = new Captured();
  readonly stderr = new Captured();

  /** The JSON summary line printed with --json. */
  summary(): unknown {
    const lines = this.stdout.text().trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!);
  }
}

/** A stream that keeps what was written to it. */
class Captured extends PassThrough {
  private written = '';

  constructor() {
    super();
    this.on('data', (chunk: Buffer) => {
      this.written += chunk.toString('utf8');
    });
  }

  text(): string {
    return this.written;
  }
}

function newEvent(): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    data: { name: 'Buurtzorg' },
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
  };
}
