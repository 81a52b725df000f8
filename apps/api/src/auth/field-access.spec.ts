import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLObjectType, buildSchema, graphql } from 'graphql';
import { GroupResolver, OrganizationResolver } from '../graphql/entity.resolvers';
import { resolvers } from '../graphql/resolvers';
import { Allow } from './allow.decorator';
import { fieldAccesses, guardedFields } from './field-access';
import { UnauthenticatedError } from './principal';

const SDL = `
  type Query { shelf: Shelf }
  type Shelf { books: [String!]! ledger: [String!]! open: String! }
`;

@Resolver('Shelf')
@Allow('viewer')
class ShelfResolver {
  @ResolveField()
  books(): string[] {
    return ['Samenwerkingskunde'];
  }

  @ResolveField()
  @Allow('auditor')
  ledger(): string[] {
    return ['entry'];
  }

  @ResolveField('open')
  @Allow('public')
  openField(): string {
    return 'open';
  }
}

/** The test schema with the resolvers Nest would attach, then guarded. */
function shelfSchema(accesses = fieldAccesses([ShelfResolver])) {
  const schema = buildSchema(SDL);
  const shelf = schema.getType('Shelf') as GraphQLObjectType;
  const instance = new ShelfResolver();
  shelf.getFields()['books']!.resolve = () => instance.books();
  shelf.getFields()['ledger']!.resolve = () => instance.ledger();
  shelf.getFields()['open']!.resolve = () => instance.openField();
  return guardedFields(schema, accesses);
}

async function ask(query: string, contextValue: object) {
  return graphql({ schema: shelfSchema(), source: query, rootValue: { shelf: {} }, contextValue });
}

describe('guardedFields', () => {
  it('reads each field resolver role from its method, else from its class', () => {
    expect(fieldAccesses([ShelfResolver])).toEqual(
      new Map([
        ['Shelf.books', 'viewer'],
        ['Shelf.ledger', 'auditor'],
        ['Shelf.open', 'public'],
      ]),
    );
    const served = fieldAccesses(resolvers);
    expect(served.get('Organization.history')).toBe('auditor');
    expect(served.get('Organization.memberships')).toBe('viewer');
    expect(served.get('Network.group')).toBe('viewer');
    expect(fieldAccesses([OrganizationResolver, GroupResolver]).get('Group.history')).toBe(
      'auditor',
    );
  });

  it('lets in the role declared and those above it, and refuses those below by name', async () => {
    const viewer = { principal: { id: 'v', role: 'viewer' } };
    const auditor = { principal: { id: 'a', role: 'auditor' } };
    expect(await ask('{ shelf { books open } }', viewer)).toEqual({
      data: { shelf: { books: ['Samenwerkingskunde'], open: 'open' } },
    });
    expect(await ask('{ shelf { ledger } }', auditor)).toEqual({
      data: { shelf: { ledger: ['entry'] } },
    });
    const refused = await ask('{ shelf { books ledger } }', viewer);
    expect(refused.data).toEqual({ shelf: null });
    expect(refused.errors?.map((error) => [error.message, error.originalError?.name])).toEqual([
      ['Shelf.ledger needs the auditor role; you are viewer', 'ForbiddenError'],
    ]);
  });

  it('refuses without credentials, giving the reason the credentials sent were refused', async () => {
    const anonymous = await ask('{ shelf { books } }', {});
    expect(anonymous.errors?.[0]?.originalError).toBeInstanceOf(UnauthenticatedError);
    const forged = await ask('{ shelf { books } }', {
      authError: new UnauthenticatedError('the token is not valid'),
    });
    expect(forged.errors?.[0]?.message).toBe('the token is not valid');
    expect((await ask('{ shelf { open } }', {})).data).toEqual({ shelf: { open: 'open' } });
  });

  it('refuses to build a schema with a field resolver that declares no role, or no field', () => {
    const accesses = fieldAccesses([ShelfResolver]);
    expect(() =>
      shelfSchema(new Map([...accesses].filter(([field]) => field !== 'Shelf.books'))),
    ).toThrow('Shelf.books has a resolver that declares no role (@Allow), so nobody may use it');
    expect(() => shelfSchema(new Map([...accesses, ['Shelf.shelves', 'viewer']]))).toThrow(
      'field resolvers for fields the schema does not have: Shelf.shelves',
    );
  });

  it('covers every entity field the served schema resolves', () => {
    const served = buildSchema(readFileSync(join(__dirname, '../graphql/schema.graphql'), 'utf8'));
    const accesses = fieldAccesses(resolvers);
    for (const field of accesses.keys()) {
      const [typeName, fieldName] = field.split('.') as [string, string];
      const type = served.getType(typeName) as GraphQLObjectType | undefined;
      expect({ field, inSchema: type?.getFields()[fieldName] !== undefined }).toEqual({
        field,
        inSchema: true,
      });
      expect({ field, access: accesses.get(field) }).not.toEqual({ field, access: undefined });
    }
  });
});
