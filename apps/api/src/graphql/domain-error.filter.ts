import { ArgumentsHost, Catch } from '@nestjs/common';
import { GqlArgumentsHost, GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError, GraphQLResolveInfo } from 'graphql';
import { DomainError } from '@partnerships/domain/common/errors';
import { ForbiddenError, UnauthenticatedError } from '../auth/principal';
import { toClientErrors } from './client-errors';

/**
 * Refusals are answers, not failures: hand domain and access errors straight to GraphQL (which
 * formats them in client-errors.ts) instead of letting Nest log them as crashes.
 */
@Catch(DomainError, UnauthenticatedError, ForbiddenError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(error: Error, host: ArgumentsHost): Error {
    const info = GqlArgumentsHost.create(host).getInfo<GraphQLResolveInfo | undefined>();
    if (info?.operation.operation !== 'subscription') return error;
    // A refused subscription never reaches the HTTP error formatter: it is answered on the
    // socket as thrown, so it is thrown already in the form a client sees.
    const [formatted] = toClientErrors(
      new GraphQLError(error.message, { originalError: error }),
      () => {},
    );
    throw new GraphQLError(formatted.message, { extensions: formatted.extensions });
  }
}
