import { Snapshot, compareSnapshots } from './compare';

describe('comparing two times', () => {
  const before: Snapshot = {
    groups: [
      {
        id: 'west',
        name: 'West',
        members: [
          { organizationId: 'acme', name: 'Acme', position: 'CORE' },
          { organizationId: 'north', name: 'North', position: 'RING' },
          { organizationId: 'lib', name: 'Library', position: 'FREE_SPACE' },
        ],
      },
    ],
    partnerships: [{ id: 'old', name: 'Old deal', groupId: null }],
  };
  const after: Snapshot = {
    groups: [
      {
        id: 'west',
        name: 'West',
        members: [
          { organizationId: 'acme', name: 'Acme', position: 'CORE' },
          { organizationId: 'north', name: 'North', position: 'CORE' },
          { organizationId: 'new', name: 'Newcomer', position: 'RING' },
        ],
      },
    ],
    partnerships: [{ id: 'warm', name: 'Warm Homes', groupId: null }],
  };

  it('lists joined, moved, left, formed and ended, and nothing that stayed', () => {
    expect(compareSnapshots(before, after)).toEqual([
      {
        kind: 'moved',
        groupId: 'west',
        groupName: 'West',
        organizationId: 'north',
        name: 'North',
        from: 'RING',
        to: 'CORE',
      },
      {
        kind: 'joined',
        groupId: 'west',
        groupName: 'West',
        organizationId: 'new',
        name: 'Newcomer',
        position: 'RING',
      },
      {
        kind: 'left',
        groupId: 'west',
        groupName: 'West',
        organizationId: 'lib',
        name: 'Library',
        position: 'FREE_SPACE',
      },
      { kind: 'formed', partnershipId: 'warm', name: 'Warm Homes' },
      { kind: 'ended', partnershipId: 'old', name: 'Old deal' },
    ]);
  });

  it('finds nothing between a time and itself', () => {
    expect(compareSnapshots(after, after)).toEqual([]);
  });

  it('in a large network, compares only the groups loaded at both times', () => {
    const summary = { id: 'east', name: 'East', members: null };
    const loadedEast = {
      id: 'east',
      name: 'East',
      members: [{ organizationId: 'solo', name: 'Solo', position: 'CORE' as const }],
    };
    const partialBefore: Snapshot = {
      groups: [...before.groups, summary],
      partnerships: [
        { id: 'west-deal', name: 'West deal', groupId: 'west' },
        { id: 'east-deal', name: 'East deal', groupId: 'east' },
      ],
    };
    const partialAfter: Snapshot = { groups: [...after.groups, loadedEast], partnerships: [] };
    const changes = compareSnapshots(partialBefore, partialAfter);
    // Nobody "joined" East: its members were not known before. West is compared as usual.
    expect(changes.filter((change) => 'groupId' in change && change.groupId === 'east')).toEqual(
      [],
    );
    expect(changes.map((change) => change.kind)).toEqual(['moved', 'joined', 'left', 'ended']);
    expect(changes.at(-1)).toEqual({
      kind: 'ended',
      partnershipId: 'west-deal',
      name: 'West deal',
    });
  });
});
