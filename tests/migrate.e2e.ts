import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EventToAppend, RecordedEvent } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';

/** The built command, exactly as `npm run migrate` runs it (jest's global setup builds it). */
const MIGRATE_ENTRY = join(__dirname, '..', 'dist', 'apps', 'migrate', 'src', 'main.js');

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function migrate(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [MIGRATE_ENTRY, ...args],
      {
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 60_000,
      },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { status: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('npm run migrate (the built command, SQLite file to SQLite file)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'partnerships-migrate-'));
  const source = join(directory, 'source.db');
  const target = join(directory, 'copy', 'target.db');
  let original: RecordedEvent[];

  beforeAll(async () => {
    const store = SqliteEventStore.open(source);
    try {
      const organization = `organization-${randomUUID()}`;
      const group = `group-${randomUUID()}`;
      await store.append(organization, [event('OrganizationRegistered')], 0);
      await store.append(group, [event('GroupFounded', new Date('2023-09-01T08:00:00.000Z'))], 0);
      await store.append(group, [event('OrganizationJoinedGroup'), event('PositionChanged')], 1);
      await store.append(organization, [event('CapabilityAssessed')], 1);
      original = await logOf(store);
    } finally {
      await store.close();
    }
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('copies every event with its id, stream, revision, both times and metadata, in order', async () => {
    const run = await migrate('--from', `sqlite:${source}`, '--to', `sqlite:${target}`, '--json');

    expect(run.status).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ copied: 5, skipped: 0, complete: true });
    const copy = await readLog(target);
    expect(copy.map(withoutPosition)).toEqual(original.map(withoutPosition));
  });

  it('copies nothing the second time', async () => {
    const before = await readLog(target);

    const run = await migrate('--from', `sqlite:${source}`, '--to', `sqlite:${target}`, '--json');

    expect(run.status).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ copied: 0, skipped: 5 });
    expect(await readLog(target)).toEqual(before);
  });

  it('refuses a target holding other events, exits 1 and writes nothing', async () => {
    const other = join(directory, 'other.db');
    const store = SqliteEventStore.open(other);
    await store.append(`group-${randomUUID()}`, [event('GroupFounded')], 0);
    await store.close();
    const before = await readLog(other);

    const run = await migrate('--from', `sqlite:${source}`, '--to', `sqlite:${other}`);

    expect(run.status).toBe(1);
    expect(run.stderr).not.toBe('');
    expect(await readLog(other)).toEqual(before);
  });

  it('exits 1 and creates nothing when the source does not exist', async () => {
    const missing = join(directory, 'missing.db');
    const nowhere = join(directory, 'nowhere.db');

    const run = await migrate('--from', `sqlite:${missing}`, '--to', `sqlite:${nowhere}`);

    expect(run.status).toBe(1);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(nowhere)).toBe(false);
  });

  it('exits 2 without --to (a command line not understood), and 0 with --help', async () => {
    expect((await migrate('--from', `sqlite:${source}`)).status).toBe(2);
    const help = await migrate('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).not.toBe('');
  });
});

function event(type: string, effectiveAt?: Date): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type,
    data: { note: 'ü€𝄞', nested: { list: [1, null] } },
    ...(effectiveAt === undefined ? {} : { effectiveAt }),
    metadata: {
      actor: 'manager-1',
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
  };
}

async function readLog(file: string): Promise<RecordedEvent[]> {
  const store = SqliteEventStore.open(file);
  try {
    return await logOf(store);
  } finally {
    await store.close();
  }
}

async function logOf(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: events[events.length - 1]?.position, limit: 100 });
    if (page.length === 0) return events;
    events.push(...page);
  }
}

function withoutPosition({ position: _position, ...rest }: RecordedEvent): Partial<RecordedEvent> {
  return rest;
}

function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}
