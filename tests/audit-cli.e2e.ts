import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SNAPSHOT_QUERY } from '../apps/audit/src/snapshot';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';
import { dropUniqueIds } from './support/sqlite-file';

const DIST = join(__dirname, '..', 'dist', 'apps');
const AUDIT = join(DIST, 'audit', 'src', 'main.js');
const GENERATE = join(DIST, 'generate', 'src', 'main.js');

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...process.env, NO_COLOR: '1', EVENT_STORE_URL: '', ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

const keyPem = (): string =>
  generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** Tampers with a copy of the SQLite file the way an administrator with the file could. */
function tampered(base: string, copy: string, change: (db: Database.Database) => void): string {
  copyFileSync(base, copy);
  const db = new Database(copy);
  db.transaction(() => change(db))();
  db.close();
  return copy;
}

/** The report's lines about digests. */
function digestLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^(ok|FAIL) +digest /.test(line));
}

/** Moves every event at `position` or later one place on, so that one can be inserted. */
function makeRoomAt(db: Database.Database, position: number): void {
  db.prepare('UPDATE events SET position = -position WHERE position >= ?').run(position);
  db.prepare('UPDATE events SET position = 1 - position WHERE position < 0').run();
}

describe('npm run audit on a generated history', () => {
  const directory = temporaryDirectory();
  const at = (name: string) => join(directory.path, name);
  const base = at('base.db');
  const digest = at('digest.json');
  const exported = at('export.jsonl');
  const key = keyPem();
  const env = { AUDIT_SIGNING_KEY: key };
  const audit = (...args: string[]) => run(AUDIT, args, env);
  let size: number;
  /** Leaf index of an OrganizationRegistered well inside the log: its data ends in a name. */
  let target: number;

  beforeAll(async () => {
    const generated = await run(GENERATE, ['--events', '400', '--seed', '7', '--out', base]);
    expect(generated.status).toBe(0);
    expect((await audit('digest', '--store', `sqlite:${base}`, '--out', digest)).status).toBe(0);
    expect((await audit('export', '--store', `sqlite:${base}`, '--out', exported)).status).toBe(0);
    const db = new Database(base, { readonly: true });
    size = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    const row = db
      .prepare(
        "SELECT position FROM events WHERE type = 'OrganizationRegistered' AND position > 150 ORDER BY position LIMIT 1",
      )
      .get() as { position: number };
    db.close();
    // The generator's positions run 1, 2, 3, ...: leaf index = position - 1.
    target = row.position - 1;
  });

  afterAll(() => directory.remove());

  it('saves a signed digest and an export of one leaf per line', () => {
    const saved = JSON.parse(readFileSync(digest, 'utf8'));
    expect(saved).toMatchObject({ treeSize: size, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(saved.rootHash).toMatch(/^[0-9a-f]{64}$/);
    const lines = readFileSync(exported, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(size);
    for (const line of lines) {
      expect(Object.keys(JSON.parse(line)).sort()).toEqual([
        'actor',
        'commandId',
        'data',
        'effectiveAt',
        'id',
        'recordedAt',
        'revision',
        'schemaVersion',
        'streamId',
        'type',
      ]);
    }
    expect(JSON.parse(readFileSync(`${exported}.digest.json`, 'utf8')).rootHash).toBe(
      saved.rootHash,
    );
  });

  it('verifies the untampered log: every check holds, exit 0', async () => {
    const result = await audit(
      'verify',
      '--store',
      `sqlite:${base}`,
      '--digest',
      digest,
      '--against',
      exported,
    );
    expect(result.stdout).not.toMatch(/FAIL/);
    expect(result.stdout).toMatch(/^ok {4}revisions contiguous from 0 in every stream$/m);
    expect(result.stdout).toMatch(/^ok {4}digest .*: signature: signed by key [0-9a-f]{16}$/m);
    expect(result.stdout).toMatch(/^ok {4}digest .*: the first \d+ events are unchanged/m);
    expect(result.stdout).toMatch(/^ok {4}digest .*: the log of \d+ events extends it/m);
    expect(result.stdout).toMatch(/^verified: /m);
    expect(result.status).toBe(0);
  });

  const tamperings: ReadonlyArray<[string, (db: Database.Database, leaf: number) => void, RegExp]> =
    [
      [
        'flip one byte of an event’s data',
        (db, leaf) => {
          const { data } = db
            .prepare('SELECT data FROM events WHERE position = ?')
            .get(leaf + 1) as { data: string };
          const index = data.length - 3; // the last character of the name
          const flipped =
            data.slice(0, index) +
            String.fromCharCode(data.charCodeAt(index) ^ 1) +
            data.slice(index + 1);
          db.prepare('UPDATE events SET data = ? WHERE position = ?').run(flipped, leaf + 1);
        },
        /leaf (\d+) differs: event \S+, stream \S+, revision \d+; differing: data$/m,
      ],
      [
        'change a time',
        (db, leaf) =>
          db
            .prepare('UPDATE events SET recorded_at = recorded_at + 1 WHERE position = ?')
            .run(leaf + 1),
        /leaf (\d+) differs: .*differing: recordedAt$/m,
      ],
      [
        'change a type',
        (db, leaf) =>
          db.prepare("UPDATE events SET type = 'GroupFounded' WHERE position = ?").run(leaf + 1),
        /leaf (\d+) differs: .*differing: type$/m,
      ],
      [
        'delete an event',
        (db, leaf) => db.prepare('DELETE FROM events WHERE position = ?').run(leaf + 1),
        /leaf (\d+) differs: the export has event \S+ .*, the log has event/m,
      ],
      [
        'insert an event',
        (db, leaf) => {
          makeRoomAt(db, leaf + 1);
          const row = db.prepare('SELECT * FROM events WHERE position = ?').get(leaf + 2) as Record<
            string,
            unknown
          >;
          db.prepare(
            `INSERT INTO events (position, id, stream_id, revision, type, data, effective_at, recorded_at, metadata, schema_version)
           VALUES (@position, 'inserted-event', 'organization-forged', 0, 'OrganizationRegistered',
                   '{"organizationId":"forged","name":"Forged"}', @effective_at, @recorded_at, @metadata, 1)`,
          ).run({ ...row, position: leaf + 1 });
        },
        /leaf (\d+) differs: the export has event \S+ .*, the log has event inserted-event/m,
      ],
      [
        'swap two events',
        (db, leaf) => {
          db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(leaf + 1);
          db.prepare('UPDATE events SET position = ? WHERE position = ?').run(leaf + 1, leaf + 2);
          db.prepare('UPDATE events SET position = ? WHERE position = -1').run(leaf + 2);
        },
        /leaf (\d+) differs: the export has event/m,
      ],
    ];

  it.each(tamperings)(
    'detects: %s (exit 1, the digest fails, --against names the leaf)',
    async (_, change, named) => {
      const copy = tampered(base, at(`case-${Math.random().toString(36).slice(2)}.db`), (db) =>
        change(db, target),
      );
      const result = await audit(
        'verify',
        '--store',
        `sqlite:${copy}`,
        '--digest',
        digest,
        '--against',
        exported,
      );
      expect(result.status).toBe(1);
      // A shorter log fails on its size, the others on the root.
      expect(result.stdout).toMatch(
        /^FAIL {2}digest .*: (the first \d+ events have root [0-9a-f]{64}, the digest says [0-9a-f]{64}|it covers \d+ events but the log holds only \d+)/m,
      );
      expect(Number(named.exec(result.stdout)?.[1])).toBe(target);
      expect(result.stdout).toMatch(/^NOT verified: /m);
      // The same report when a worker thread hashes the leaves.
      const threaded = await run(
        AUDIT,
        ['verify', '--store', `sqlite:${copy}`, '--digest', digest, '--against', exported],
        { ...env, AUDIT_HASHING_THREADS: '1' },
      );
      expect(threaded.status).toBe(1);
      expect(threaded.stdout).toBe(result.stdout);
      // Without the export verify reads the file's rows (sqlite-log-rows.ts), all on one
      // thread or in two halves on two (log-partition.ts): the same lines.
      const rowArgs = ['verify', '--store', `sqlite:${copy}`, '--digest', digest];
      const here = await run(AUDIT, rowArgs, { ...env, AUDIT_HASHING_THREADS: '0' });
      const there = await run(AUDIT, rowArgs, { ...env, AUDIT_HASHING_THREADS: '1' });
      expect(here.status).toBe(1);
      expect(there.status).toBe(1);
      expect(there.stdout).toBe(here.stdout);
      expect(digestLines(here.stdout)).toEqual(digestLines(result.stdout));
      expect(digestLines(here.stdout).filter((line) => line.startsWith('FAIL'))).not.toEqual([]);
    },
  );

  it('verifies alike on two threads, and refuses another thread count', async () => {
    const args = ['verify', '--store', `sqlite:${base}`, '--digest', digest, '--against', exported];
    const one = await run(AUDIT, args, { ...env, AUDIT_HASHING_THREADS: '0' });
    const threaded = await run(AUDIT, args, { ...env, AUDIT_HASHING_THREADS: '1' });
    expect(one.status).toBe(0);
    expect(threaded.status).toBe(0);
    expect(threaded.stdout).toBe(one.stdout);
    // Without --against, the rows path: the same lines but the export's.
    const rowArgs = ['verify', '--store', `sqlite:${base}`, '--digest', digest];
    const here = await run(AUDIT, rowArgs, { ...env, AUDIT_HASHING_THREADS: '0' });
    const there = await run(AUDIT, rowArgs, { ...env, AUDIT_HASHING_THREADS: '1' });
    expect(here.status).toBe(0);
    expect(there.stdout).toBe(here.stdout);
    const withoutExport = (stdout: string) =>
      stdout.split('\n').filter((line) => !/export|checks hold$/.test(line));
    expect(withoutExport(here.stdout)).toEqual(withoutExport(one.stdout));
    const refused = await run(AUDIT, args, { ...env, AUDIT_HASHING_THREADS: 'two' });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe('audit: AUDIT_HASHING_THREADS must be 0 or 1, not "two"');
    expect(refused.stdout).toBe('');
  });

  it('finds an id and a command repeated across the two halves alike on one thread and two', async () => {
    // The last event takes the id and the command of the first event of a stream whose
    // name ends in a character of the other parity: each half holds one of the two.
    const copy = tampered(base, at('repeated.db'), (db) => {
      dropUniqueIds(db);
      const rows = db
        .prepare('SELECT position, stream_id AS stream, id, metadata FROM events ORDER BY position')
        .all() as { position: number; stream: string; id: string; metadata: string }[];
      const last = rows[rows.length - 1];
      const parity = (stream: string) => stream.charCodeAt(stream.length - 1) & 1;
      const other = rows.find((row) => parity(row.stream) !== parity(last.stream));
      if (other === undefined) throw new Error('every stream is of one parity');
      const { commandId } = JSON.parse(other.metadata) as { commandId: string };
      const metadata = JSON.parse(last.metadata) as Record<string, unknown>;
      db.prepare('UPDATE events SET id = ?, metadata = ? WHERE position = ?').run(
        other.id,
        JSON.stringify({ ...metadata, commandId }),
        last.position,
      );
    });
    const rowArgs = ['verify', '--store', `sqlite:${copy}`];
    const here = await run(AUDIT, rowArgs, { ...env, AUDIT_HASHING_THREADS: '0' });
    const there = await run(AUDIT, rowArgs, { ...env, AUDIT_HASHING_THREADS: '1' });
    expect(here.status).toBe(1);
    expect(here.stdout).toMatch(/^FAIL {2}event ids unique: leaf \d+: /m);
    expect(here.stdout).toMatch(
      /^FAIL {2}a command's events contiguous in one stream: leaf \d+: /m,
    );
    expect(there.status).toBe(1);
    expect(there.stdout).toBe(here.stdout);
  });

  it('detects a truncated log: the digest covers more events than it holds', async () => {
    const copy = tampered(base, at('truncated.db'), (db) =>
      db.prepare('DELETE FROM events WHERE position > ?').run(size - 10),
    );
    const result = await audit(
      'verify',
      '--store',
      `sqlite:${copy}`,
      '--digest',
      digest,
      '--against',
      exported,
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`it covers ${size} events but the log holds only ${size - 10}`);
    expect(result.stdout).toMatch(
      new RegExp(
        `leaf ${size - 10} \\(event \\S+, stream \\S+, revision \\d+\\) is in the export but the log ends`,
      ),
    );
  });

  it('detects tampering without a digest where the log contradicts itself, naming the event', async () => {
    let removed = '';
    const copy = tampered(base, at('gap.db'), (db) => {
      const row = db
        .prepare(
          'SELECT stream_id AS stream FROM events GROUP BY stream_id HAVING COUNT(*) >= 3 ORDER BY stream_id LIMIT 1',
        )
        .get() as { stream: string };
      removed = row.stream;
      db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 1').run(row.stream);
    });
    const result = await audit('verify', '--store', `sqlite:${copy}`);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`FAIL  revisions contiguous from 0 in every stream: leaf `);
    expect(result.stdout).toMatch(
      new RegExp(`stream ${removed}, revision 2: revision 2 where 1 was next in its stream`),
    );
  });

  it('refuses a wrong signature, another key, a digest from another log', async () => {
    const saved = JSON.parse(readFileSync(digest, 'utf8'));
    const badSignature = at('bad-signature.json');
    const signature = Buffer.from(saved.signature, 'base64');
    signature[0] ^= 1;
    writeFileSync(
      badSignature,
      JSON.stringify({ ...saved, signature: signature.toString('base64') }),
    );
    let result = await audit('verify', '--store', `sqlite:${base}`, '--digest', badSignature);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL {2}digest .*: signature: the signature does not match the digest for key/m,
    );

    result = await run(AUDIT, ['verify', '--store', `sqlite:${base}`, '--digest', digest], {
      AUDIT_SIGNING_KEY: keyPem(),
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL {2}digest .*: signature: the digest names key [0-9a-f]{16}, the public key given is [0-9a-f]{16}$/m,
    );

    const other = at('other.db');
    expect(
      (await run(GENERATE, ['--events', `${size + 50}`, '--seed', '8', '--out', other])).status,
    ).toBe(0);
    const otherDigest = at('other-digest.json');
    expect(
      (
        await audit(
          'digest',
          '--store',
          `sqlite:${other}`,
          '--tree-size',
          `${size - 5}`,
          '--out',
          otherDigest,
        )
      ).status,
    ).toBe(0);
    result = await audit('verify', '--store', `sqlite:${base}`, '--digest', otherDigest);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /the digest says [0-9a-f]{64}: .* or the digest is from another log/,
    );

    // A digest larger than the log.
    const larger = at('larger.json');
    expect((await audit('digest', '--store', `sqlite:${other}`, '--out', larger)).status).toBe(0);
    result = await audit('verify', '--store', `sqlite:${base}`, '--digest', larger);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`it covers ${size + 50} events but the log holds only ${size}`);
  });

  it('imports an export into an empty store after checking its digest; the tree is the same', async () => {
    const target = at('imported.db');
    const result = await audit('import', '--from', exported, '--to', `sqlite:${target}`);
    expect(result.stderr).toContain(`imported ${size} events`);
    expect(result.status).toBe(0);
    const verified = await audit('verify', '--store', `sqlite:${target}`, '--digest', digest);
    expect(verified.status).toBe(0);
    // Not into a store that holds events.
    const again = await audit('import', '--from', exported, '--to', `sqlite:${target}`);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/is not empty/);
  });

  it('refuses to import an export that does not match its digest, writing nothing', async () => {
    const lines = readFileSync(exported, 'utf8').split('\n');
    const changed = JSON.parse(lines[5]);
    changed.recordedAt = new Date(Date.parse(changed.recordedAt) + 1).toISOString();
    lines[5] = JSON.stringify(changed);
    const forged = at('forged.jsonl');
    writeFileSync(forged, lines.join('\n'));
    const target = at('never.db');
    const result = await audit(
      'import',
      '--from',
      forged,
      '--to',
      `sqlite:${target}`,
      '--digest',
      `${exported}.digest.json`,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^audit: refused, nothing was written: digest .* the digest says/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it.each([
    [['frobnicate'], /unknown verb "frobnicate"/],
    [['verify', '--nope'], /verify does not take "--nope"/],
    [['digest', '--tree-size', 'ten'], /--tree-size must be a whole number/],
    [
      ['verify', '--digest', '/no/such/digest.json'],
      /the digest \/no\/such\/digest.json does not exist/,
    ],
    [
      ['verify', '--store', 'sqlite:/no/such/store.db'],
      /the store sqlite:\/no\/such\/store.db does not exist/,
    ],
    [['verify', '--store', 'postgres://x'], /unsupported event store URL/],
    [['snapshot'], /snapshot needs --as-of/],
    [['replay', '--until', 'yesterday'], /--until must be a date/],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    const result = await audit(...(args as string[]));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('refuses a digest file that is not a digest and a malformed export line, naming them', async () => {
    const notDigest = at('not-a-digest.json');
    writeFileSync(notDigest, JSON.stringify({ treeSize: 3, rootHash: 'abc' }));
    let result = await audit('verify', '--store', `sqlite:${base}`, '--digest', notDigest);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /not-a-digest.json is not a digest: rootHash is not 64 lowercase hex digits/,
    );

    const malformed = at('malformed.jsonl');
    const lines = readFileSync(exported, 'utf8').split('\n');
    lines[2] = '{"id": "x"';
    writeFileSync(malformed, lines.join('\n'));
    const into = at('malformed-target.db');
    result = await audit(
      'import',
      '--from',
      malformed,
      '--to',
      `sqlite:${into}`,
      '--digest',
      digest,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/malformed.jsonl line 3 is not JSON/);
    expect(existsSync(into)).toBe(false);
  });

  it('writes nothing when the tree size is beyond the log', async () => {
    const out = at('too-far.jsonl');
    const result = await audit(
      'export',
      '--store',
      `sqlite:${base}`,
      '--tree-size',
      `${size + 1}`,
      '--out',
      out,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `--tree-size ${size + 1} is beyond the log, which holds ${size} events`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.digest.json`)).toBe(false);
  });
});

describe('npm run audit beside the running server', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  let server: TestServer;
  let knownAt: string;

  async function mutate(name: string, type: string, input: Record<string, unknown>) {
    const response = await server.gql(
      `mutation ($input: ${type}!) { ${name}(input: $input) { id } }`,
      { input },
    );
    expect(response.errors ?? []).toEqual([]);
  }

  beforeAll(async () => {
    server = await startServer(file, { GRAPHQL_MAX_COST: '1000000', GRAPHQL_MAX_DEPTH: '50' });
    await mutate('registerOrganization', 'RegisterOrganizationInput', {
      id: 'acme',
      name: 'Acme',
      effectiveAt: '2025-02-01T00:00:00Z',
    });
    await mutate('registerOrganization', 'RegisterOrganizationInput', {
      id: 'brio',
      name: 'Brio',
      effectiveAt: '2025-02-02T00:00:00Z',
    });
    await mutate('foundGroup', 'FoundGroupInput', {
      id: 'rivers',
      name: 'Rivers Alliance',
      effectiveAt: '2025-02-03T00:00:00Z',
    });
    await mutate('joinGroup', 'JoinGroupInput', {
      groupId: 'rivers',
      organizationId: 'acme',
      position: 'CORE',
      effectiveAt: '2025-03-01T00:00:00Z',
    });
    await mutate('joinGroup', 'JoinGroupInput', {
      groupId: 'rivers',
      organizationId: 'brio',
      position: 'RING',
      effectiveAt: '2025-03-02T00:00:00Z',
    });
    await mutate('formPartnership', 'FormPartnershipInput', {
      id: 'p1',
      name: 'Shared data',
      partyIds: ['acme', 'brio'],
      groupId: 'rivers',
      intendedEndAt: '2027-01-01T00:00:00Z',
      effectiveAt: '2025-04-01T00:00:00Z',
    });
    await mutate('agreeArrangement', 'AgreeArrangementInput', {
      partnershipId: 'p1',
      arrangementId: 'a1',
      title: 'Monthly sharing',
      terms: 'Monthly.',
      effectiveAt: '2025-04-02T00:00:00Z',
    });
    knownAt = new Date().toISOString();
    // Recorded after knownAt: neither the snapshot nor the served network at knownAt sees it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await mutate('leaveGroup', 'LeaveGroupInput', {
      groupId: 'rivers',
      organizationId: 'brio',
      effectiveAt: '2025-03-15T00:00:00Z',
    });
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  it('digests the same root as the server serves, while it runs', async () => {
    const served = (await server.gql('{ auditDigest { treeSize rootHash } }')).data!.auditDigest;
    const result = await run(AUDIT, ['digest', '--store', `sqlite:${file}`]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject(served);
    expect((await run(AUDIT, ['verify'], { EVENT_STORE_URL: `sqlite:${file}` })).status).toBe(0);
  });

  it('replays the history in words, names as they were', async () => {
    const result = await run(AUDIT, ['replay', '--store', `sqlite:${file}`]);
    expect(result.status).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[3]).toBe(
      `2025-03-01 Acme joined Rivers Alliance in the core — recorded ${today} by an unauthenticated client`,
    );
    expect(lines[5]).toBe(
      `2025-04-01 Acme and Brio formed the partnership Shared data within Rivers Alliance, intended to end 2027-01-01 — recorded ${today} by an unauthenticated client`,
    );
    const until = await run(AUDIT, [
      'replay',
      '--store',
      `sqlite:${file}`,
      '--until',
      '2025-03-01',
      '--stream',
      'group-rivers',
      '--json',
    ]);
    expect(
      until.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).type),
    ).toEqual(['GroupFounded', 'OrganizationJoinedGroup']);
    const known = await run(AUDIT, ['replay', '--store', `sqlite:${file}`, '--known-at', knownAt]);
    expect(known.stdout.trim().split('\n')).toHaveLength(7);
  });

  it.each([
    ['2025-03-20T00:00:00.000Z', true],
    ['2025-03-20T00:00:00.000Z', false],
    ['2025-04-05T00:00:00.000Z', true],
    ['2025-02-02T12:00:00.000Z', false],
  ])(
    'snapshots the network as of %s (knownAt given: %s) exactly as Query.network serves it',
    async (asOf, withKnownAt) => {
      const args = ['snapshot', '--store', `sqlite:${file}`, '--as-of', asOf];
      const variables: Record<string, string> = { asOf };
      if (withKnownAt) {
        args.push('--known-at', knownAt);
        variables['knownAt'] = knownAt;
      }
      const served = await server.gql(SNAPSHOT_QUERY, variables);
      expect(served.errors).toBeUndefined();
      const result = await run(AUDIT, args);
      expect(result.status).toBe(0);
      const snapshot = JSON.parse(result.stdout);
      if (!withKnownAt) {
        // Both take knownAt as now, at two moments: compare everything else.
        delete snapshot.knownAt;
        delete served.data!.network.knownAt;
      }
      expect(snapshot).toEqual(served.data!.network);
      expect(snapshot.organizations.totalCount).toBeGreaterThan(0);
    },
  );
});

describe('npm run audit -- verify on a machine whose cores are busy', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'busy.db');

  beforeAll(async () => {
    const generated = await run(GENERATE, ['--events', '20000', '--seed', '11', '--out', file]);
    expect(generated.status).toBe(0);
  }, 60_000);

  afterAll(() => directory.remove());

  it('reads the second half on its own thread too, says so, and reports as one thread does', async () => {
    const alone = await run(AUDIT, ['verify', '--store', `sqlite:${file}`], {
      AUDIT_HASHING_THREADS: '0',
    });
    expect(alone.status).toBe(0);
    // Threads of this process spinning: several for every core, so that other work keeps
    // all of them busy however the machine shares them out.
    const spinners = Array.from(
      { length: 4 * availableParallelism() + 2 },
      () => new Worker('for (;;);', { eval: true }),
    );
    try {
      const busy = await run(AUDIT, ['verify', '--store', `sqlite:${file}`]);
      expect(busy.status).toBe(0);
      expect(busy.stderr).toMatch(
        /^verify: read on one thread: other work kept \d+\.\d of \d+ cores busy as it began \(AUDIT_HASHING_THREADS=1 reads on two regardless\)$/m,
      );
      expect(busy.stdout).toBe(alone.stdout);
    } finally {
      await Promise.all(spinners.map((spinner) => spinner.terminate()));
    }
  }, 60_000);
});
