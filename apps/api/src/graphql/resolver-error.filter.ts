import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { GqlArgumentsHost, GqlContextType, GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLResolveInfo } from 'graphql';

/**
 * A resolver's error goes straight to GraphQL, which answers it for both doors
 * (client-errors.ts): a refusal (a rule, access) as what it is, anything else as
 * INTERNAL_SERVER_ERROR, written to the log once there with the request it failed
 * (logging.ts, reportFailure). Nest's own handler would log every error a second time, as
 * a crash and without the request, refusals included. Outside GraphQL (the probes,
 * /metrics) Nest's handling stays as it is.
 */
@Catch()
export class ResolverErrorFilter extends BaseExceptionFilter implements GqlExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() !== 'graphql') return super.catch(error, host);
    const info = GqlArgumentsHost.create(host).getInfo<GraphQLResolveInfo | undefined>();
    // A subscription's resolver must give a stream: an error returned would be taken for
    // one, so it is thrown (and answered as an `error` message by the WebSocket door).
    if (info?.operation.operation === 'subscription') throw error;
    return error;
  }
}
