import * as fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { DateTimeAsText } from './date-time';

describe('the DateTime scalar as served', () => {
  it('writes the text JSON.stringify wrote for the Date graphql-scalars served', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }),
        (date) => {
          const served = DateTimeAsText.serialize(date);
          expect(typeof served).toBe('string');
          expect(served).toBe(JSON.parse(JSON.stringify(DateTimeResolver.serialize(date))));
        },
      ),
      { numRuns: 5000 },
    );
    // Days written out of order, years beyond four digits, and the first and last instants.
    for (const time of [0, 8.64e15, -8.64e15, 253402300800000, -62167219200001, 86_399_999, 1]) {
      expect(DateTimeAsText.serialize(new Date(time))).toBe(new Date(time).toISOString());
    }
  });

  it('takes what graphql-scalars takes, and refuses what it refuses', () => {
    expect(DateTimeAsText.serialize('2025-03-01T10:15:30+02:00')).toBe('2025-03-01T08:15:30.000Z');
    expect(DateTimeAsText.serialize(1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(() => DateTimeAsText.serialize(new Date(NaN))).toThrow(GraphQLError);
    expect(() => DateTimeAsText.serialize('yesterday')).toThrow(GraphQLError);
    expect(DateTimeAsText.parseValue('2025-03-01T10:15:30Z')).toEqual(
      new Date('2025-03-01T10:15:30Z'),
    );
  });
});
