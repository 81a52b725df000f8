import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const cli = (name: string) => join(ROOT, 'dist', 'apps', 'admin', 'src', `${name}.js`);

/** Every stored column of every event, in commit order: what must survive a round trip. */
function rowsOf(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM events ORDER BY position').all();
  } finally {
    db.close();
  }
}

describe('online backup and restore', () => {
  const directory = temporaryDirectory();
  const live = join(directory.path, 'live.db');
  const backup = join(directory.path, 'backup.db');
  const restored = join(directory.path, 'restored.db');
  let server: TestServer | undefined;

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  it('copies the store while the server serves and writes, and restores it exactly', async () => {
    server = await startServer(live);
    for (let i = 0; i < 20; i++) {
      await server.gql(
        `mutation { registerOrganization(input: { id: "org-${i}", name: "Org ${i}" }) { id } }`,
      );
    }
    // Writers keep going while the backup runs.
    const writes = Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server!.gql(
          `mutation { registerOrganization(input: { id: "late-${i}", name: "Late ${i}" }) { id } }`,
        ),
      ),
    );
    const backedUp = await run(process.execPath, [cli('backup'), backup], {
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${live}` },
    });
    await writes;
    expect(backedUp.stdout).toMatch(/^backed up \d+ events/);
    await server.close();
    server = undefined;

    const copied = rowsOf(backup);
    expect(copied.length).toBeGreaterThanOrEqual(20);
    // A consistent snapshot: exactly the first events of the live store, nothing torn.
    expect(rowsOf(live).slice(0, copied.length)).toEqual(copied);

    await run(process.execPath, [cli('restore'), backup], {
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${restored}` },
    });
    expect(rowsOf(restored)).toEqual(copied);

    server = await startServer(restored);
    const answer = await server.gql('{ organizations(first: 100) { totalCount } }');
    expect(answer.data).toEqual({ organizations: { totalCount: copied.length } });
  });

  it('refuses to restore over an existing store unless told to replace it', async () => {
    await server?.close();
    server = undefined;
    const refused = await run(process.execPath, [cli('restore'), backup], {
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${restored}` },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    await run(process.execPath, [cli('restore'), backup, '--replace'], {
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${restored}` },
    });
    expect(rowsOf(restored)).toEqual(rowsOf(backup));
  });

  it('refuses a file that is not an event store', async () => {
    const refused = await run(process.execPath, [cli('restore'), __filename], {
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${join(directory.path, 'other.db')}` },
    }).catch((error: { code: number }) => error);
    expect(refused).toMatchObject({ code: 1 });
  });
});
