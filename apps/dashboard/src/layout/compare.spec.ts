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
    partnerships: [{ id: 'old', name: 'Old deal' }],
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
    partnerships: [{ id: 'warm', name: 'Warm Homes' }],
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
});
