import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLNonNull, GraphQLObjectType, buildSchema } from 'graphql';
import { MutationResolver } from '../graphql/mutation.resolver';
import { COMMANDS, COMMAND_NAMES, idOrNew } from './command-table';

// The keys under which @nestjs/graphql's @Mutation records a resolver method.
const RESOLVER_TYPE = 'graphql:resolver_type';
const RESOLVER_NAME = 'graphql:resolver_name';

const schema = buildSchema(
  readFileSync(join(__dirname, '..', 'graphql', 'schema.graphql'), 'utf8'),
);
const mutation = schema.getMutationType() as GraphQLObjectType;

describe('the command table', () => {
  it('has a row for every mutation of the served schema', () => {
    const missing = Object.keys(mutation.getFields()).filter((name) => !(name in COMMANDS));
    expect(missing).toEqual([]);
  });

  it.each(COMMAND_NAMES)(
    '%s: is a mutation taking its input type, answering a CommandResult',
    (name) => {
      const field = mutation.getFields()[name];
      expect(field).toBeDefined();
      expect(field.args.map((arg) => [arg.name, String(arg.type)])).toEqual([
        ['input', `${COMMANDS[name].inputType}!`],
      ]);
      expect(field.type).toBeInstanceOf(GraphQLNonNull);
      expect(String(field.type)).toBe('CommandResult!');
    },
  );

  it.each(COMMAND_NAMES)('%s: has a Mutation resolver', (name) => {
    const method = (MutationResolver.prototype as unknown as Record<string, unknown>)[name];
    expect(typeof method).toBe('function');
    expect(Reflect.getMetadata(RESOLVER_TYPE, method as object)).toBe('Mutation');
    expect(Reflect.getMetadata(RESOLVER_NAME, method as object)).toBe(name);
  });
});

describe('the ids the server chooses', () => {
  it('keeps a client id, and makes UUIDv7s in the order they were made', () => {
    expect(idOrNew('org-1')).toBe('org-1');
    const made = Array.from({ length: 1_000 }, () => idOrNew(undefined));
    for (const id of made) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(made).size).toBe(made.length);
    // In the store's indexes (compared as text), each new id comes after the ones before.
    expect([...made].sort()).toEqual(made);
  });
});
