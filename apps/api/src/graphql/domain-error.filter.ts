import { ArgumentsHost, Catch } from '@nestjs/common';
import { GqlArgumentsHost, GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLResolveInfo } from 'graphql';
import { DomainError } from '@partnerships/domain/common/errors';
import { ForbiddenError, UnauthenticatedError } from '../auth/principal';

/**
 * Refusals are answers, not failures: hand domain and access errors straight to GraphQL (which
 * formats them in client-errors.ts, for both doors) instead of letting Nest log them as crashes.
 */
@Catch(DomainError, UnauthenticatedError, ForbiddenError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(error: Error, host: ArgumentsHost): Error {
    const info = GqlArgumentsHost.create(host).getInfo<GraphQLResolveInfo | undefined>();
    // A subscription's resolver must give a stream: a refusal returned would be taken for
    // one, so it is thrown (and answered as an `error` message by the WebSocket door).
    if (info?.operation.operation === 'subscription') throw error;
    return error;
  }
}
