import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse } from 'graphql';
import {
  ASSUMED_LIST_SIZES,
  DEFAULT_LIMITS,
  ListSizes,
  QueryLimitError,
  checkCost,
} from './query-limits';

const schema = buildSchema(readFileSync(join(__dirname, 'schema.graphql'), 'utf8'));
const limits = { ...DEFAULT_LIMITS, introspection: true, fieldSuggestions: true };

/** 300 members in the largest group; `groups` holds `groups` of them in all. */
const sizes = (groups: number | undefined): ListSizes => ({
  longest: (type, field) => (type === 'Group' && field === 'members' ? 300 : 10),
  total: (_type, field) => (field === 'groups' ? groups : undefined),
});

const groupsWithMembers = parse(`{
  network { groups(first: 500) { edges { node { members { organization { name } } } } } }
}`);

function refusal(listSizes: ListSizes): unknown {
  try {
    checkCost(limits, listSizes, schema, groupsWithMembers, undefined, undefined);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('the cost of a connection page', () => {
  it('is counted by its first when the number of items is unknown', () => {
    expect(refusal(sizes(undefined))).toBeInstanceOf(QueryLimitError);
    expect(refusal(ASSUMED_LIST_SIZES)).toBeUndefined();
  });

  it('is counted by the items there are when fewer than its first', () => {
    // 10 groups × 300 members: a page of 500 can hold only 10.
    expect(refusal(sizes(10))).toBeUndefined();
    // 400 groups of up to 300 members is past the limit whatever the page.
    expect(refusal(sizes(400))).toBeInstanceOf(QueryLimitError);
  });
});

describe('a remembered cost', () => {
  it('is estimated again when a list size it read has changed since', () => {
    let members = 10;
    const growing: ListSizes = {
      longest: (type, field) => (type === 'Group' && field === 'members' ? members : 10),
      total: (_type, field) => (field === 'groups' ? 5 : undefined),
    };
    const document = parse(`{
      network { groups(first: 500) { edges { node { members { organization { name } } } } } }
    }`);
    const check = (): void => checkCost(limits, growing, schema, document, undefined, undefined);
    expect(check).not.toThrow();
    expect(check).not.toThrow();
    // 5 groups of up to 20,000 members: far past the limit, though the text is the same.
    members = 20_000;
    expect(check).toThrow(QueryLimitError);
    members = 10;
    expect(check).not.toThrow();
  });
});
