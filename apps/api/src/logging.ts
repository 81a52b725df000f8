import { IncomingMessage } from 'node:http';
import { DocumentNode, Kind, OperationDefinitionNode } from 'graphql';
import { Options } from 'pino-http';
import { AppConfig } from './config';

/** What the GraphQL layer notes on a request for its log line. */
export interface LoggedRequest extends IncomingMessage {
  principal?: string | null;
  operation?: string;
}

/**
 * One JSON line per request with the GraphQL operation and the principal. Credentials are
 * never logged: the headers that carry them are removed before a line is written.
 */
export function httpLogOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["sec-websocket-protocol"]',
      ],
      remove: true,
    },
    customProps: (request) => {
      const { operation, principal } = request as LoggedRequest;
      return operation === undefined ? {} : { operation, principal: principal ?? null };
    },
  };
}

/** `query Dashboard` for a named operation, `query { group }` for an anonymous one. */
export function operationOf(document: DocumentNode, operationName: string | undefined): string {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operations.find((candidate) => candidate.name?.value === operationName) ?? operations[0];
  if (operation === undefined) return 'unknown';
  if (operation.name !== undefined) return `${operation.operation} ${operation.name.value}`;
  const fields = operation.selectionSet.selections
    .map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : '…'))
    .join(' ');
  return `${operation.operation} { ${fields} }`;
}
