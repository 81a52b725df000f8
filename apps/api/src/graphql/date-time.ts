import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { IsoTimes } from '@partnerships/audit/leaf';

/**
 * DateTime as graphql-scalars defines it, but served as its text: its serialize hands the
 * Date itself to the answer, which JSON.stringify then writes through Date#toJSON, off its
 * fast path (for a group's 50 members, 100 dates, that was most of the cost of writing the
 * answer). The same text as toISOString, written here with the date part of the last day
 * written kept (IsoTimes: an answer's times mostly fall on a few days).
 */
function dateTimeAsText(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig();
  const times = new IsoTimes();
  return new GraphQLScalarType(
    Object.assign({}, config, {
      serialize: (value: unknown) => {
        const serialized = config.serialize(value);
        return serialized instanceof Date ? times.of(serialized.getTime()) : serialized;
      },
    }),
  );
}

export const DateTimeAsText = dateTimeAsText(DateTimeResolver);
