import { decodeEvent } from '@partnerships/domain/decode-event';
import { parseStreamId } from '@partnerships/domain/commands';
import { StreamFold, applyTo, foldFor } from '@partnerships/audit/stream-fold';
import { NetworkSimulation } from '../apps/generate/src/simulation';
import { evolveStream } from './support/evolve-stream';

describe("audit verify's in-place stream folds on a generated history", () => {
  it('reach the states the domain evolve functions reach, stream by stream', () => {
    const simulation = new NetworkSimulation({
      events: 20_000,
      seed: 10,
      start: new Date('2016-01-01T00:00:00Z'),
      years: 10,
    });
    const log = [...simulation.batches(1_000)].flat();
    const folds = new Map<string, StreamFold>();
    const states = new Map<string, unknown>();
    const types = new Set<string>();
    for (const [index, recorded] of log.entries()) {
      const category = parseStreamId(recorded.streamId)?.category;
      if (category === undefined) throw new Error(`unknown stream ${recorded.streamId}`);
      const event = decodeEvent(recorded);
      types.add(event.type);
      const fold = folds.get(recorded.streamId) ?? foldFor(category);
      folds.set(recorded.streamId, fold);
      applyTo(fold, event);
      const state = evolveStream(category, states.get(recorded.streamId), event);
      states.set(recorded.streamId, state);
      // Every event of the first thousand, then every stream at the end: comparing a large
      // group's state at each of its events would make the test quadratic.
      if (index < 1_000) expect(fold.state).toStrictEqual(state);
    }
    // A history with the cases where folding in place and copying could part (dissolutions
    // are rare in generated histories: stream-fold.spec.ts generates them).
    for (const type of [
      'OrganizationLeftGroup',
      'PositionChanged',
      'ArrangementAgreed',
      'PartnershipExtended',
      'InterventionRecorded',
    ]) {
      expect(types).toContain(type);
    }
    expect(folds.size).toBeGreaterThan(100);
    for (const [streamId, fold] of folds) expect(fold.state).toStrictEqual(states.get(streamId));
  });
});
