// A writer for tests/crash-safety.e2e.ts, run as a child process and killed with SIGKILL at
// a moment the test picks. It records real commands through the built production path
// (the CQRS command handler, CommandRecorder -> SqliteEventStore) from many concurrent loops and
// never stops on its own.
//
// Usage: node crash-writer.js <sqlite file> <prefix> <loops> <seed> <shared group ids, comma separated>
//
// One JSON line per step on stdout (the only thing written there):
//   {"k":"ready"}                                      the store is open, the loops start
//   {"k":"send","cid","name","input"}                  a command is about to be handed over
//   {"k":"ack","cid","name","result"}                  its handler resolved with this result
//   {"k":"refused","cid","code","rule"}                a domain error: nothing may be recorded
//   {"k":"fault","cid","error"}                        anything else (a test failure)
// Raw batches (name "appendBatch") go straight to the store's append: every command of the
// product records exactly one event, so they are what exercises "all events of one append
// or none". A line is written only after what it reports has happened, so a line the parent
// has read reports something that certainly happened. Dates in inputs are written as
// {"$date": "<RFC 3339>"}.
'use strict';

require('reflect-metadata');
const { join } = require('node:path');
const process = require('node:process');
const { Logger } = require('@nestjs/common');

const DIST = join(__dirname, '..', '..', 'dist');
const { SqliteEventStore } = require(
  join(DIST, 'libs', 'event-store', 'src', 'sqlite', 'sqlite-event-store'),
);
const { DomainError } = require(join(DIST, 'libs', 'domain', 'src', 'common', 'errors'));
const { CommandRecorder, RecordCommand } = require(
  join(DIST, 'apps', 'api', 'src', 'commands', 'command-recorder'),
);

const MUTATIONS = [
  'registerOrganization',
  'assessCapability',
  'foundGroup',
  'joinGroup',
  'changePosition',
  'leaveGroup',
  'dissolveGroup',
  'formPartnership',
  'agreeArrangement',
  'extendPartnership',
  'endPartnership',
];
const POSITIONS = ['CORE', 'RING', 'FREE_SPACE'];
const DAY = 24 * 60 * 60 * 1000;
/** Loops whose index leaves this remainder append raw batches now and then. */
const BATCH_EVERY = 4;

function write(line) {
  process.stdout.write(`${JSON.stringify(line, encodeDates)}\n`);
}

function encodeDates(key, value) {
  const original = this[key];
  return original instanceof Date ? { $date: original.toISOString() } : value;
}

/** mulberry32: a small seeded generator, so that a seed replays the same choices. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main() {
  const [file, prefix, loopsText, seedText, sharedText] = process.argv.slice(2);
  Logger.overrideLogger(false);
  const store = SqliteEventStore.open(file);
  // The one CQRS handler, as the command bus calls it for every row of the command table.
  const recorder = new CommandRecorder(store);
  const handlers = new Map(
    MUTATIONS.map((name) => [
      name,
      (input) => recorder.execute(new RecordCommand({ name, input, actor: null })),
    ]),
  );
  const shared = sharedText.split(',');
  write({ k: 'ready' });
  const loops = Number(loopsText);
  const seed = Number(seedText);
  await Promise.all(
    Array.from({ length: loops }, (_, index) =>
      writerLoop({ store, handlers, shared, me: `${prefix}.l${index}`, index, seed }),
    ),
  );
}

async function writerLoop({ store, handlers, shared, me, index, seed }) {
  const rnd = random(seed * 1000 + index);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  let counter = 0;
  const nextId = (kind) => `${me}.${kind}${counter++}`;

  const organizations = [];
  /** `${groupId} ${organizationId}` -> position, for this loop's organisations. */
  const memberships = new Map();
  const ownGroups = [];
  const partnerships = [];
  const acknowledged = [];

  async function command(name, input) {
    const cid = nextId('c');
    const full = { ...input, commandId: cid };
    write({ k: 'send', cid, name, input: full });
    return settle(cid, name, full);
  }

  async function settle(cid, name, input, repeat = false) {
    try {
      const result = await handlers.get(name)(input);
      write({ k: 'ack', cid, name, result });
      if (!repeat) acknowledged.push({ cid, name, input });
      return result;
    } catch (error) {
      if (error instanceof DomainError) {
        write({ k: 'refused', cid, code: error.code, rule: error.rule ?? null });
      } else {
        write({ k: 'fault', cid, error: String(error?.stack ?? error) });
      }
      return undefined;
    }
  }

  async function appendBatch() {
    const cid = nextId('c');
    const size = 2 + Math.floor(rnd() * 5);
    const input = { streamId: `crashprobe-${me}`, size };
    write({ k: 'send', cid, name: 'appendBatch', input });
    try {
      const appended = await store.append(input.streamId, rawBatch(cid, size), 'any');
      const last = appended.events[appended.events.length - 1];
      write({
        k: 'ack',
        cid,
        name: 'appendBatch',
        result: {
          streamId: last.streamId,
          version: appended.nextVersion,
          position: last.position,
          eventIds: appended.events.map((event) => event.id),
        },
      });
    } catch (error) {
      write({ k: 'fault', cid, error: String(error?.stack ?? error) });
    }
  }

  // Every loop tries to found the shared groups: one wins, the others are refused.
  for (const groupId of shared) await command('foundGroup', { id: groupId, name: groupId });

  for (;;) {
    const roll = rnd();
    const activeGroups = [
      ...shared,
      ...ownGroups.filter((group) => !group.dissolved).map((g) => g.id),
    ];
    const memberKeys = [...memberships.keys()];
    const active = partnerships.filter((partnership) => !partnership.ended);

    if (organizations.length < 3 || roll < 0.12) {
      const id = nextId('o');
      if (await command('registerOrganization', { id, name: `Organisation ${id}` })) {
        organizations.push(id);
      }
    } else if (roll < 0.3) {
      const groupId = pick(activeGroups);
      const organizationId = pick(organizations);
      const key = `${groupId} ${organizationId}`;
      if (memberships.has(key)) continue;
      const position = pick(POSITIONS);
      if (await command('joinGroup', { groupId, organizationId, position })) {
        memberships.set(key, position);
      }
    } else if (roll < 0.42 && memberKeys.length > 0) {
      const key = pick(memberKeys);
      const [groupId, organizationId] = key.split(' ');
      const position = pick(POSITIONS.filter((p) => p !== memberships.get(key)));
      const reason = rnd() < 0.5 ? 'Takes on more' : undefined;
      if (await command('changePosition', { groupId, organizationId, position, reason })) {
        memberships.set(key, position);
      }
    } else if (roll < 0.48 && memberKeys.length > 0) {
      const key = pick(memberKeys);
      const [groupId, organizationId] = key.split(' ');
      if (await command('leaveGroup', { groupId, organizationId })) memberships.delete(key);
    } else if (roll < 0.54) {
      const ambition = 1 + Math.floor(rnd() * 5);
      const realized = 1 + Math.floor(rnd() * 5);
      await command('assessCapability', {
        organizationId: pick(organizations),
        ambition,
        realized,
        notes: rnd() < 0.5 ? 'Assessed in the yearly review' : null,
      });
    } else if (roll < 0.6) {
      const id = nextId('g');
      if (await command('foundGroup', { id, name: `Group ${id}`, purpose: 'Shared logistics' })) {
        ownGroups.push({ id, dissolved: false });
      }
    } else if (roll < 0.63 && ownGroups.some((group) => !group.dissolved)) {
      const group = pick(ownGroups.filter((candidate) => !candidate.dissolved));
      if (await command('dissolveGroup', { groupId: group.id, reason: 'Done' })) {
        group.dissolved = true;
        for (const key of memberKeys) if (key.startsWith(`${group.id} `)) memberships.delete(key);
      }
    } else if (roll < 0.71) {
      const parties = [...new Set([pick(organizations), pick(organizations), pick(organizations)])];
      if (parties.length < 2) continue;
      const id = nextId('p');
      const intendedEndAt = new Date(Date.now() + 365 * DAY);
      if (
        await command('formPartnership', {
          id,
          name: `Partnership ${id}`,
          partyIds: parties,
          intendedEndAt,
        })
      ) {
        partnerships.push({ id, intendedEndAt, ended: false });
      }
    } else if (roll < 0.8 && active.length > 0) {
      const partnership = pick(active);
      await command('agreeArrangement', {
        partnershipId: partnership.id,
        arrangementId: nextId('a'),
        title: 'Shared warehouse',
        terms: 'Each party pays its share of the rent.',
        validUntil: rnd() < 0.5 ? partnership.intendedEndAt : null,
      });
    } else if (roll < 0.85 && active.length > 0) {
      const partnership = pick(active);
      const intendedEndAt = new Date(partnership.intendedEndAt.getTime() + 30 * DAY);
      if (await command('extendPartnership', { partnershipId: partnership.id, intendedEndAt })) {
        partnership.intendedEndAt = intendedEndAt;
      }
    } else if (roll < 0.88 && active.length > 0) {
      const partnership = pick(active);
      if (await command('endPartnership', { partnershipId: partnership.id, reason: 'COMPLETED' })) {
        partnership.ended = true;
      }
    } else if (roll < 0.91) {
      // A stale expectedVersion on a busy shared group: refused, records nothing.
      await command('joinGroup', {
        groupId: pick(shared),
        organizationId: pick(organizations),
        position: 'RING',
        expectedVersion: 0,
      });
    } else if (roll < 0.95 && acknowledged.length > 0) {
      // A client retrying: the same commandId and input again must return the first result.
      const earlier = pick(acknowledged);
      write({ k: 'send', cid: earlier.cid, name: earlier.name, input: earlier.input });
      await settle(earlier.cid, earlier.name, earlier.input, true);
    } else if (index % BATCH_EVERY === BATCH_EVERY - 1) {
      await appendBatch();
    }
  }
}

function rawBatch(cid, size) {
  return Array.from({ length: size }, (_, position) => ({
    id: `${cid}.e${position}`,
    type: 'CrashProbeRecorded',
    data: { cid, index: position, of: size },
    schemaVersion: 1,
    metadata: {
      actor: null,
      commandId: cid,
      correlationId: cid,
      causationId: cid,
      commandDigest: 'raw-batch',
    },
  }));
}

main().catch((error) => {
  write({ k: 'fault', cid: null, error: String(error?.stack ?? error) });
  process.exit(1);
});
