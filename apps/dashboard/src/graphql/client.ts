/**
 * The page's only way to the server: typed operations over HTTP POST to /graphql, with the
 * credential the person signed in with (kept in session storage, gone with the tab).
 */
import { TypedDocument } from './generated';

const CREDENTIAL_KEY = 'partnerships.credential';

export function storedCredential(): string | null {
  return sessionStorage.getItem(CREDENTIAL_KEY);
}

export function storeCredential(credential: string | null): void {
  if (credential === null || credential.trim() === '') sessionStorage.removeItem(CREDENTIAL_KEY);
  else sessionStorage.setItem(CREDENTIAL_KEY, credential.trim());
}

export function authorizationHeader(): string | undefined {
  const credential = storedCredential();
  if (credential === null) return undefined;
  return /^bearer /i.test(credential) ? credential : `Bearer ${credential}`;
}

export interface ClientError {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: {
    readonly code?: string;
    readonly rule?: string;
    readonly field?: string;
    readonly [key: string]: unknown;
  };
}

/** The server answered with errors (and maybe partial data). */
export class GraphQLErrors extends Error {
  constructor(
    readonly errors: readonly ClientError[],
    readonly data: unknown,
  ) {
    super(errors[0]?.message ?? 'the server answered with an error');
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/** The request never got an answer: the network, or a server that is not there. */
export class NetworkError extends Error {}

export async function request<Result, Variables>(
  document: TypedDocument<Result, Variables>,
  variables?: Variables,
  signal?: AbortSignal,
): Promise<Result> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const authorization = authorizationHeader();
  if (authorization !== undefined) headers['authorization'] = authorization;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document, variables }),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new NetworkError(error instanceof Error ? error.message : String(error));
  }
  let body: { data?: Result | null; errors?: ClientError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new NetworkError(`the server answered HTTP ${response.status} without GraphQL`);
  }
  if (body.errors !== undefined && body.errors.length > 0) {
    throw new GraphQLErrors(body.errors, body.data);
  }
  if (body.data === undefined || body.data === null) {
    throw new NetworkError(`the server answered HTTP ${response.status} without data`);
  }
  return body.data;
}
