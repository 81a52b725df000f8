import { GraphQLSchema, buildSchema } from 'graphql';
import { QueryLimitError } from './query-limits';
import { RequestBudget, budgetedSchema } from './request-budget';

describe('RequestBudget', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => (now = 1_000));

  it('asks nothing of a resolver within its slice', () => {
    const budget = new RequestBudget(300, 20, 1000, () => undefined, clock);
    now += 19;
    expect(budget.spend()).toBeUndefined();
  });

  it('pauses for one turn of the event loop once a slice is spent, then starts a new one', async () => {
    const budget = new RequestBudget(300, 20, 1000, () => undefined, clock);
    now += 20;
    const pause = budget.spend();
    expect(pause).toBeInstanceOf(Promise);
    await pause;
    now += 19;
    expect(budget.spend()).toBeUndefined();
  });

  it('pauses after as many resolvers as one turn may start, however little time they took', async () => {
    const budget = new RequestBudget(300, 20, 3, () => undefined, clock);
    expect([budget.spend(), budget.spend(), budget.spend()]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const pause = budget.spend();
    expect(pause).toBeInstanceOf(Promise);
    await pause;
    expect(budget.spend()).toBeUndefined();
  });

  it('stops the request at its deadline once, with a named limit, and runs nothing after', async () => {
    const stops: QueryLimitError[] = [];
    const budget = new RequestBudget(300, 20, 1000, (error) => stops.push(error), clock);
    now += 300;
    const first = budget.spend();
    const later = budget.spend();
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'requestTime' });
    expect(stops[0].message).toBe(
      'the query ran for over 300 ms, the limit: ask for smaller pages or fewer nested lists',
    );
    // What is left of the query waits on promises that never settle.
    const settled = jest.fn();
    void first!.then(settled, settled);
    void later!.then(settled, settled);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).not.toHaveBeenCalled();
  });
});

describe('budgetedSchema', () => {
  const schemaWith = (): GraphQLSchema => {
    const schema = buildSchema(`
      type Query { items: [Item!]! plain: Int }
      type Item { name: String }
      type Mutation { act: Int }
    `);
    schema.getQueryType()!.getFields()['items'].resolve = () => [];
    schema.getMutationType()!.getFields()['act'].resolve = () => 1;
    return schema;
  };

  it('makes a query resolver of its own spend the budget, and leaves the rest alone', () => {
    const schema = budgetedSchema(schemaWith());
    const items = schema.getQueryType()!.getFields()['items'].resolve!;
    const stop = jest.fn();
    const spent = new RequestBudget(0, 20, 1000, stop, () => 0);
    expect(items({}, {}, { budget: spent }, undefined as never)).toBeInstanceOf(Promise);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(items({}, {}, {}, undefined as never)).toEqual([]);
    expect(schema.getQueryType()!.getFields()['plain'].resolve).toBeUndefined();
    const act = schema.getMutationType()!.getFields()['act'].resolve!;
    expect(act({}, {}, { budget: spent }, undefined as never)).toBe(1);
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
