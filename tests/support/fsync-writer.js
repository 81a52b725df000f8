// Appends a few events one at a time and writes "ack <n>" to stdout after each is
// acknowledged, for tests/durability-fsync.e2e.ts to trace with strace.
//
// Usage: node fsync-writer.js <sqlite file> <store|normal> <count>
//   store   the product's SqliteEventStore (synchronous=FULL, checked at open)
//   normal  raw better-sqlite3 in WAL mode with synchronous=NORMAL: the control that the
//           trace check must catch (SQLite does not sync the WAL at each commit then)

const { join } = require('node:path');
const { writeSync } = require('node:fs');
const Database = require('better-sqlite3');

const DIST = join(__dirname, '..', '..', 'dist');
const { SqliteEventStore } = require(
  join(DIST, 'libs', 'event-store', 'src', 'sqlite', 'sqlite-event-store'),
);

const acknowledge = (n) => writeSync(1, `ack ${n}\n`);

async function main() {
  const [file, mode, countText] = process.argv.slice(2);
  const count = Number(countText);
  if (mode === 'store') {
    const store = SqliteEventStore.open(file);
    for (let n = 0; n < count; n++) {
      const id = `fsync-${n}`;
      await store.append(
        `organization-${id}`,
        [
          {
            id,
            type: 'OrganizationRegistered',
            data: { organizationId: id, name: id },
            schemaVersion: 1,
            metadata: {
              actor: null,
              commandId: id,
              correlationId: id,
              causationId: id,
              commandDigest: id,
            },
          },
        ],
        0,
      );
      acknowledge(n);
    }
    await store.close();
  } else {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let n = 0; n < count; n++) {
      insert.run(`row ${n}`);
      acknowledge(n);
    }
    db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
