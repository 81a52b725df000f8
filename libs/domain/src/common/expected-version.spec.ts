import { expectConflict } from './decider-spec-helpers';
import { checkExpectedVersion } from './expected-version';
import { emptyStream } from './command';

describe('checkExpectedVersion', () => {
  const state = { ...emptyStream, version: 3 };

  it('passes without an expectedVersion', () => {
    expect(() => checkExpectedVersion('group-g1', {}, state)).not.toThrow();
  });

  it('passes when the expectedVersion matches', () => {
    expect(() => checkExpectedVersion('group-g1', { expectedVersion: 3 }, state)).not.toThrow();
  });

  it.each([0, 2, 4])('fails with CONCURRENCY_CONFLICT when expecting %p', (expectedVersion) => {
    const error = expectConflict(
      () => checkExpectedVersion('group-g1', { expectedVersion }, state),
      expectedVersion,
      3,
    );
    expect(error.streamId).toBe('group-g1');
  });
});
