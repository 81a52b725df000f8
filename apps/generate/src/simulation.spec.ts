import { Effective } from '@partnerships/domain/common/command';
import { GroupEvent, evolveGroup, initialGroupState } from '@partnerships/domain/group/group';
import { RecordedEvent } from '@partnerships/event-store/event-store';
import { NetworkSimulation } from './simulation';

const GROUP_STREAM = 'group-';

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

describe('NetworkSimulation', () => {
  it('decides on group states equal to the domain evolveGroup fold of what it recorded', () => {
    const { simulation, log } = generate(20_000, 3);
    const streams = new Map<string, Effective<GroupEvent>[]>();
    for (const event of log) {
      if (!event.streamId.startsWith(GROUP_STREAM)) continue;
      const events = streams.get(event.streamId) ?? [];
      events.push({ type: event.type, data: event.data, effectiveAt: event.effectiveAt } as never);
      streams.set(event.streamId, events);
    }
    // Enough groups, members who left and dissolutions for the comparison to mean something.
    expect(streams.size).toBeGreaterThan(5);
    const types = new Set(log.map((event) => event.type));
    expect(types).toContain('OrganizationLeftGroup');
    expect(types).toContain('PositionChanged');
    for (const [streamId, events] of streams) {
      const folded = events.reduce(evolveGroup, initialGroupState);
      expect(simulation.groupState(streamId.slice(GROUP_STREAM.length))).toEqual(folded);
    }
  });

  it('is reproducible: the same seed gives the same events', () => {
    const first = generate(3_000, 9).log;
    const second = generate(3_000, 9).log;
    expect(second).toEqual(first);
    expect(generate(3_000, 10).log).not.toEqual(first);
  });
});
