import { ExecutionResult, GraphQLError, buildSchema, execute, parse } from 'graphql';
import { OncePerEvent } from './websocket-door';

/** Executed with graphql-js on a schema whose resolver counts its calls. */
describe('OncePerEvent: an event is executed and serialised once per distinct subscription', () => {
  const schema = buildSchema('type Query { id: String, twice: Int }');
  let calls = 0;
  const run = (event: { id: string; n: number }, query: string) => () => {
    return execute({
      schema,
      document: parse(query),
      rootValue: {
        id: () => {
          calls += 1;
          return event.id;
        },
        twice: () => event.n * 2,
      },
    }) as ExecutionResult;
  };

  beforeEach(() => (calls = 0));

  it('computes once for every subscriber of the same subscription, even when they ask at once', async () => {
    const cache = new OncePerEvent();
    const event = { id: 'e1', n: 2 };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => cache.answer(event, 'k', run(event, '{ id twice }'))),
    );
    expect(calls).toBe(1);
    expect(new Set(answers)).toEqual(new Set(['{"data":{"id":"e1","twice":4}}']));
  });

  it('computes again for another subscription and for another event', async () => {
    const cache = new OncePerEvent();
    const first = { id: 'e1', n: 1 };
    const second = { id: 'e2', n: 1 };
    await cache.answer(first, 'a', run(first, '{ id }'));
    await cache.answer(first, 'b', run(first, '{ id twice }'));
    await cache.answer(second, 'a', run(second, '{ id }'));
    await cache.answer(first, 'a', run(first, '{ id }'));
    expect(calls).toBe(3);
  });

  it('hands a result with errors back as it is, for each connection to format', async () => {
    const cache = new OncePerEvent();
    const failed: ExecutionResult = { data: null, errors: [new GraphQLError('no')] };
    const answer = await cache.answer({}, 'k', () => failed);
    expect(answer).toBe(failed);
  });
});
