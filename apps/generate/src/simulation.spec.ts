import { evolveStream } from '../../../tests/support/evolve-stream';
import { RecordedEvent } from '@partnerships/event-store/event-store';
import { importRowOf } from '@partnerships/event-store/sqlite/sqlite-schema';
import { validate, version } from 'uuid';
import {
  NetworkSimulation,
  generatedCommandId,
  recordedEventsOf,
  stampedRow,
  unstampedRowsOf,
} from './simulation';

function generate(
  events: number,
  seed: number,
): { simulation: NetworkSimulation; log: RecordedEvent[] } {
  const simulation = new NetworkSimulation({
    events,
    seed,
    start: new Date('2016-01-01T00:00:00Z'),
    years: 10,
  });
  const log = [...simulation.batches(1_000)].flat();
  return { simulation, log };
}

/** Each stream's events folded by the domain's evolve functions, the values the folds keep in place. */
function evolvedStates(log: readonly RecordedEvent[]): Map<string, unknown> {
  const states = new Map<string, unknown>();
  for (const { streamId, type, data, effectiveAt } of log) {
    const category = streamId.slice(0, streamId.indexOf('-'));
    states.set(streamId, evolveStream(category, states.get(streamId), { type, data, effectiveAt }));
  }
  return states;
}

describe('NetworkSimulation', () => {
  it('decides on stream states equal to the domain evolve functions fold of what it recorded', () => {
    const { simulation, log } = generate(20_000, 3);
    const states = evolvedStates(log);
    // Enough streams of each kind and events of each sort for the comparison to mean something.
    const categories = [...states.keys()].map((streamId) => streamId.split('-')[0]);
    for (const category of ['organization', 'group', 'partnership']) {
      expect(categories.filter((each) => each === category).length).toBeGreaterThan(5);
    }
    const types = new Set(log.map((event) => event.type));
    for (const type of [
      'OrganizationLeftGroup',
      'PositionChanged',
      'ArrangementAgreed',
      'PartnershipExtended',
      'PartnershipEnded',
      'InterventionRecorded',
    ]) {
      expect(types).toContain(type);
    }
    for (const [streamId, evolved] of states) {
      expect(simulation.stateOf(streamId)).toEqual(evolved);
    }
  });

  it('makes the same rows on its two paths: stamped by the writer, and as recorded events', () => {
    const simulation = new NetworkSimulation({
      events: 5_000,
      seed: 4,
      start: new Date('2016-01-01T00:00:00Z'),
      years: 10,
    });
    let rows = 0;
    for (const command of simulation.decidedCommands()) {
      const recorded = recordedEventsOf(command).map(importRowOf);
      expect(unstampedRowsOf(command).map(stampedRow)).toEqual(recorded);
      rows += recorded.length;
    }
    expect(rows).toBe(5_000);
  });

  it('gives each command a UUIDv7 of its moment, in the order recorded, and ids that follow', () => {
    const { log } = generate(3_000, 7);
    const commandIds = [...new Set(log.map((event) => event.metadata.commandId))];
    for (const commandId of commandIds) {
      expect({ commandId, valid: validate(commandId), version: version(commandId) }).toEqual({
        commandId,
        valid: true,
        version: 7,
      });
    }
    // The log's order is the commandIds' order, and the event ids' time prefixes'.
    expect([...commandIds].sort()).toEqual(commandIds);
    const prefixes = log.map((event) => event.id.slice(0, 13));
    expect([...prefixes].sort()).toEqual(prefixes);
    expect(new Set(log.map((event) => event.id)).size).toBe(log.length);
    for (const event of log) {
      expect(event.id.slice(0, 13)).toBe(event.metadata.commandId.slice(0, 13));
      expect(parseInt(event.id.slice(0, 8) + event.id.slice(9, 13), 16)).toBe(
        event.recordedAt.getTime(),
      );
    }
    // Past 2^48 commands, the count goes on in the bits before the last twelve digits.
    expect(generatedCommandId(0x1234, 2 ** 48 + 5, 0x0123_4567_89ab)).toBe(
      '01234567-89ab-7234-8001-000000000005',
    );
    expect(generatedCommandId(42, 0xa1b2_c3d4_e5f6, 0xfedc_ba98_7654)).toBe(
      'fedcba98-7654-702a-8000-a1b2c3d4e5f6',
    );
  });

  it('is reproducible: the same seed gives the same events', () => {
    const first = generate(3_000, 9).log;
    const second = generate(3_000, 9).log;
    expect(second).toEqual(first);
    expect(generate(3_000, 10).log).not.toEqual(first);
  });
});
