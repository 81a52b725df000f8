import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { startServer, temporaryDirectory } from './support/test-server';

const run = promisify(execFile);
const GENERATE = join(__dirname, '..', 'dist', 'apps', 'generate', 'src', 'main.js');

interface Row {
  stream_id: string;
  revision: number;
  effective_at: number;
  recorded_at: number;
}

describe('npm run generate', () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  it('writes the requested history, in order, that the server then serves', async () => {
    const file = join(directory.path, 'generated.db');
    const { stdout } = await run(process.execPath, [
      GENERATE,
      '--events',
      '3000',
      '--seed',
      '7',
      '--out',
      file,
    ]);
    expect(stdout).toMatch(/^generated 3000 events/);

    const db = new Database(file, { readonly: true });
    const rows = db
      .prepare(
        'SELECT stream_id, revision, effective_at, recorded_at FROM events ORDER BY position',
      )
      .all() as Row[];
    db.close();
    expect(rows).toHaveLength(3000);
    const seen = new Map<string, Row>();
    let lastRecorded = -Infinity;
    for (const row of rows) {
      const previous = seen.get(row.stream_id);
      // Contiguous revisions; within a stream both times only move forward.
      expect(row.revision).toBe(previous === undefined ? 0 : previous.revision + 1);
      if (previous !== undefined)
        expect(row.effective_at).toBeGreaterThanOrEqual(previous.effective_at);
      expect(row.effective_at).toBeLessThanOrEqual(row.recorded_at);
      expect(row.recorded_at).toBeGreaterThanOrEqual(lastRecorded);
      lastRecorded = row.recorded_at;
      seen.set(row.stream_id, row);
    }

    const server = await startServer(file);
    try {
      const answer = await server.gql(
        '{ network { stats { organizations groups activePartnerships } } }',
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.network.stats.organizations).toBeGreaterThan(10);
    } finally {
      await server.close();
    }
  });

  it('is reproducible: the same seed gives the same history', async () => {
    const files = ['a.db', 'b.db'].map((name) => join(directory.path, name));
    for (const file of files) {
      await run(process.execPath, [GENERATE, '--events', '500', '--seed', '11', '--out', file]);
    }
    const [a, b] = files.map((file) => {
      const db = new Database(file, { readonly: true });
      const rows = db
        .prepare('SELECT id, stream_id, type, data, effective_at FROM events ORDER BY position')
        .all();
      db.close();
      return rows;
    });
    expect(a).toEqual(b);
  });

  it('refuses an existing file and a bad count', async () => {
    const file = join(directory.path, 'a.db');
    await expect(
      run(process.execPath, [GENERATE, '--events', '10', '--out', file]),
    ).rejects.toMatchObject({ code: 1 });
    await expect(
      run(process.execPath, [GENERATE, '--events', 'many', '--out', join(directory.path, 'c.db')]),
    ).rejects.toMatchObject({ code: 1 });
  });
});
