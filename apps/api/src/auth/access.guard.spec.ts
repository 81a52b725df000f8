import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Reflector } from '@nestjs/core';
import { resolvers } from '../graphql/resolvers';
import { AccessGuard } from './access.guard';
import { ACCESS, Allow } from './allow.decorator';
import { ForbiddenError, UnauthenticatedError } from './principal';

class Resolvers {
  @Allow('auditor')
  declared(): string {
    return 'declared';
  }

  forgotten(): string {
    return 'forgotten';
  }
}

function contextFor(handler: () => unknown, auth: object): ExecutionContextHost {
  const context = new ExecutionContextHost(
    [{}, {}, auth, { parentType: { name: 'Query' }, fieldName: handler.name }],
    Resolvers,
    handler,
  );
  context.setType('graphql');
  return context;
}

describe('AccessGuard', () => {
  const guard = new AccessGuard(new Reflector());

  it('refuses a resolver that declares no role, whoever asks (deny by default)', () => {
    const manager = { principal: { id: 'max', role: 'manager' } };
    expect(() => guard.canActivate(contextFor(Resolvers.prototype.forgotten, manager))).toThrow(
      ForbiddenError,
    );
  });

  it('lets in the role declared and those above it, and no one below', () => {
    const handler = Resolvers.prototype.declared;
    expect(
      guard.canActivate(contextFor(handler, { principal: { id: 'a', role: 'auditor' } })),
    ).toBe(true);
    expect(
      guard.canActivate(contextFor(handler, { principal: { id: 'm', role: 'manager' } })),
    ).toBe(true);
    expect(() =>
      guard.canActivate(contextFor(handler, { principal: { id: 'v', role: 'viewer' } })),
    ).toThrow(ForbiddenError);
    expect(() => guard.canActivate(contextFor(handler, {}))).toThrow(UnauthenticatedError);
  });

  it('finds a role declared on every resolver the API serves', () => {
    const undeclared = resolvers.flatMap((resolver) =>
      Object.getOwnPropertyNames(resolver.prototype)
        .filter((name) => name !== 'constructor')
        .filter(
          (name) =>
            Reflect.getMetadata(
              ACCESS,
              resolver.prototype[name as keyof typeof resolver.prototype],
            ) === undefined && Reflect.getMetadata(ACCESS, resolver) === undefined,
        )
        .map((name) => `${resolver.name}.${name}`),
    );
    expect(undeclared).toEqual([]);
  });
});
