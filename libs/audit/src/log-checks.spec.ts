import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { LogCheckName, LogChecks } from './log-checks';

let position = 0;
function event(
  streamId: string,
  revision: number,
  type: string,
  data: Record<string, unknown>,
  overrides: Partial<RecordedEvent> & { commandId?: string } = {},
): RecordedEvent {
  position++;
  const commandId = overrides.commandId ?? `c${position}`;
  return {
    id: `e${position}`,
    streamId,
    revision,
    position: String(position),
    type,
    data,
    effectiveAt: new Date(Date.UTC(2025, 0, 1, 0, position)),
    recordedAt: new Date(Date.UTC(2025, 0, 2, 0, position)),
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'd',
    },
    schemaVersion: 1,
    ...overrides,
  };
}
const registered = (id: string, overrides = {}) =>
  event(
    `organization-${id}`,
    0,
    'OrganizationRegistered',
    { organizationId: id, name: id },
    overrides,
  );
const assessed = (id: string, revision: number, overrides = {}) =>
  event(
    `organization-${id}`,
    revision,
    'CapabilityAssessed',
    { organizationId: id, ambition: 3, realized: 2, notes: null },
    overrides,
  );

function failing(events: readonly RecordedEvent[]): Partial<Record<LogCheckName, string>> {
  const checks = new LogChecks();
  for (const recorded of events) checks.add(recorded);
  return Object.fromEntries(
    checks
      .results()
      .filter((result) => !result.ok)
      .map((result) => [result.name, `${result.first?.at.eventId}: ${result.first?.problem}`]),
  );
}

describe('the log checks', () => {
  beforeEach(() => {
    position = 0;
  });

  it('hold for a consistent log', () => {
    expect(failing([registered('a'), assessed('a', 1), registered('b'), assessed('a', 2)])).toEqual(
      {},
    );
  });

  it('find a gap in the revisions', () => {
    expect(failing([registered('a'), assessed('a', 2)])).toEqual({
      revisions: 'e2: revision 2 where 1 was next in its stream',
      replay: 'e2: evolve reached version 2, not 3',
    });
  });

  it('find positions that do not increase', () => {
    expect(failing([registered('a'), registered('b', { position: '1' })])).toEqual({
      positions: 'e2: position 1 is not after 1',
    });
  });

  it('find times that move backwards in a stream', () => {
    const first = registered('a');
    expect(
      failing([
        first,
        assessed('a', 1, { effectiveAt: new Date(first.effectiveAt.getTime() - 1) }),
      ]),
    ).toEqual({ times: expect.stringMatching(/^e2: effectiveAt .* is before/) });
    position = 0;
    const again = registered('a');
    expect(
      failing([again, assessed('a', 1, { recordedAt: new Date(again.recordedAt.getTime() - 1) })]),
    ).toEqual({ times: expect.stringMatching(/^e2: recordedAt .* is before/) });
  });

  it('find a repeated event id', () => {
    expect(failing([registered('a'), registered('b', { id: 'e1' })])).toEqual({
      ids: 'e1: event id e1 is recorded before',
    });
  });

  it("find a command's events apart", () => {
    expect(
      failing([
        registered('a', { commandId: 'x' }),
        registered('b'),
        assessed('a', 1, { commandId: 'x' }),
      ]),
    ).toEqual({ commands: 'e3: command x recorded events elsewhere before' });
  });

  it("find a command's events in two streams, one right after the other", () => {
    expect(
      failing([registered('a', { commandId: 'x' }), registered('b', { commandId: 'x' })]),
    ).toEqual({ commands: 'e2: command x recorded events elsewhere before' });
  });

  it("let a command's events follow one another in one stream", () => {
    expect(
      failing([
        registered('a', { commandId: 'x' }),
        assessed('a', 1, { commandId: 'x' }),
        assessed('a', 2, { commandId: 'x' }),
        registered('b', { commandId: 'y' }),
      ]),
    ).toEqual({});
  });

  it('find unknown types and invalid data, and stop the replay there', () => {
    expect(
      failing([
        registered('a'),
        assessed('a', 1, { data: { organizationId: 'a', ambition: 9, realized: 2, notes: null } }),
      ]),
    ).toEqual({
      data: 'e2: CapabilityAssessed v1 data has an invalid ambition',
      replay: 'e2: its data is not valid, so the stream cannot be replayed past it',
    });
    position = 0;
    expect(failing([registered('a'), event('organization-a', 1, 'Renamed', {})])).toMatchObject({
      data: 'e2: the event type Renamed is unknown',
    });
  });

  it('find streams that do not replay: wrong beginning, wrong kind of stream, another id', () => {
    expect(failing([assessed('a', 0)])).toEqual({
      replay: 'e1: the stream does not begin with OrganizationRegistered',
    });
    position = 0;
    expect(
      failing([event('group-g', 0, 'OrganizationRegistered', { organizationId: 'g', name: 'g' })]),
    ).toEqual({
      replay: 'e1: a OrganizationRegistered cannot be in a group stream',
    });
    position = 0;
    expect(
      failing([
        event('organization-a', 0, 'OrganizationRegistered', { organizationId: 'b', name: 'b' }),
      ]),
    ).toEqual({
      replay: "e1: its organizationId is not the stream's id",
    });
    position = 0;
    expect(
      failing([
        registered('a'),
        event('organization-a', 1, 'OrganizationRegistered', { organizationId: 'a', name: 'a' }),
      ]),
    ).toEqual({
      replay: 'e2: a second OrganizationRegistered in one stream',
    });
  });
});
