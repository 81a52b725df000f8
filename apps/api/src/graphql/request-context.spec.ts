import Fastify from 'fastify';
import mercurius from 'mercurius';
import { RequestContext, requestContext } from './request-context';

describe('a GraphQL request context', () => {
  it('is made with every key Mercurius, its Nest driver and the server give it', async () => {
    const app = Fastify();
    let seen: object | undefined;
    await app.register(mercurius, {
      schema: 'type Query { probe: Boolean }',
      // Its cache is an ES module, which jest loads only with a flag; it adds no key.
      cache: false,
      resolvers: {
        Query: {
          probe: (_source: unknown, _args: unknown, context: object) => {
            seen = context;
            return true;
          },
        },
      },
      // Nest's Mercurius driver adds the request to the context the server's factory made.
      context: (request) => Object.assign(requestContext({}), { req: request }),
    });
    app.graphql.addHook('preExecution', async (_schema, _document, context) => {
      (context as object as RequestContext).budget = undefined;
    });
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ probe }' },
    });
    await app.close();

    expect(response.json()).toEqual({ data: { probe: true } });
    // A key added after the context was made comes last, and changes its shape.
    expect(Object.keys(seen!)).toEqual(Object.keys(requestContext({})));
  });
});
