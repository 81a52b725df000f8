import { Catch } from '@nestjs/common';
import { GqlExceptionFilter } from '@nestjs/graphql';
import { DomainError } from '@partnerships/domain/common/errors';

/**
 * Refusals are answers, not failures: hand domain errors straight to GraphQL (which
 * formats them in client-errors.ts) instead of letting Nest log them as crashes.
 */
@Catch(DomainError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(error: DomainError): DomainError {
    return error;
  }
}
