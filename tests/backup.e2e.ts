import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
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

  it('refuses to restore over the store a running server holds, saying what to do', async () => {
    const held = join(directory.path, 'held.db');
    const running = await startServer(held);
    try {
      const write = await running.gql(
        'mutation { registerOrganization(input: { id: "kept", name: "Kept" }) { id } }',
      );
      expect(write.errors).toBeUndefined();
      const refused = await run(process.execPath, [cli('restore'), backup, '--replace'], {
        env: { ...process.env, EVENT_STORE_URL: `sqlite:${held}` },
      }).catch((error: { code: number; stderr: string }) => error);
      expect(refused).toMatchObject({ code: 1 });
      expect((refused as { stderr: string }).stderr).toMatch(/open in another process.*stop it/);
      // The server's store is untouched and still serves what it acknowledged.
      const kept = await running.gql('{ organization(id: "kept") { name } }');
      expect(kept.data).toEqual({ organization: { name: 'Kept' } });
    } finally {
      await running.close();
    }
    // Once the server has stopped, the same restore goes through.
    await run(process.execPath, [cli('restore'), backup, '--replace'], {
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${held}` },
    });
    expect(rowsOf(held)).toEqual(rowsOf(backup));
  });

  it('creates the folder a backup goes to', async () => {
    const nested = join(directory.path, 'new', 'folder', 'backup.db');
    await run(process.execPath, [cli('backup'), nested], {
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${backup}` },
    });
    expect(rowsOf(nested)).toEqual(rowsOf(backup));
  });
});

describe('every command-line tool', () => {
  const directory = temporaryDirectory();
  const tools: Array<{ name: string; entry: string; valid: string[] }> = [
    { name: 'backup', entry: cli('backup'), valid: ['x.db'] },
    { name: 'restore', entry: cli('restore'), valid: ['x.db'] },
    { name: 'api-key', entry: cli('api-key'), valid: ['--id', 'a', '--role', 'viewer'] },
    {
      name: 'migrate',
      entry: join(ROOT, 'dist', 'apps', 'migrate', 'src', 'main.js'),
      valid: ['--from', 'sqlite:a.db', '--to', 'sqlite:b.db'],
    },
    {
      name: 'generate',
      entry: join(ROOT, 'dist', 'apps', 'generate', 'src', 'main.js'),
      valid: ['--events', '10'],
    },
    {
      name: 'demo',
      entry: join(ROOT, 'dist', 'apps', 'generate', 'src', 'demo.js'),
      valid: [],
    },
    {
      name: 'the server (npm start)',
      entry: join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js'),
      valid: [],
    },
    {
      name: 'bench',
      entry: join(ROOT, 'dist', 'apps', 'bench', 'src', 'main.js'),
      valid: ['--quick'],
    },
  ];

  afterAll(() => directory.remove());

  const runIn = (entry: string, args: string[]) =>
    run(process.execPath, [entry, ...args], {
      cwd: directory.path,
      env: { ...process.env, EVENT_STORE_URL: `sqlite:${join(directory.path, 'store.db')}` },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it.each(tools)('$name --help prints its usage and exits 0', async ({ entry }) => {
    const help = await runIn(entry, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage|Usage/);
  });

  it.each(tools)(
    '$name refuses an unknown flag in one line, exit 2, writing nothing',
    async ({ entry, valid }) => {
      const refused = await runIn(entry, [...valid, '--bogus']);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/--bogus/);
      expect(readdirSync(directory.path)).toEqual([]);
    },
  );

  it('backup --replace is refused instead of writing a file named --replace', async () => {
    const refused = await runIn(cli('backup'), ['--replace']);
    expect(refused.code).toBe(2);
    expect(readdirSync(directory.path)).toEqual([]);
  });

  it('never prints the password of a store URL', async () => {
    const refused = await run(process.execPath, [cli('backup'), 'x.db'], {
      cwd: directory.path,
      env: { ...process.env, EVENT_STORE_URL: 'esdb://admin:s3cr3t-pass@localhost:2113?tls=false' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).not.toContain('s3cr3t-pass');
  });
});
