import { EVENT_FIELDS, LoggedEvent, STACK_TRACE } from './commands';
import { GraphQLResponse, TestServer } from './test-server';

export interface Page<Node> {
  readonly totalCount?: number;
  readonly edges: { cursor: string; node: Node }[];
}

/**
 * Every edge of a connection, paged through with `first: pageSize`. A page the server
 * refuses as too costly (`extensions.limit: "cost"`) is asked for again at half the size,
 * so that reading everything works under whatever limit the server sets on one query.
 */
export async function pageAll<Node>(
  server: TestServer,
  field: string,
  selection: string,
  { pageSize = 100, args = '', fragments = '' } = {},
): Promise<Page<Node>> {
  const edges: { cursor: string; node: Node }[] = [];
  let totalCount: number | undefined;
  let after: string | null = null;
  let first = pageSize;
  for (;;) {
    const response: GraphQLResponse<any> = await server.gql<any>(
      `query ($first: Int!, $after: String) {
        page: ${field}(${args} first: $first, after: $after) {
          ${field === 'events' ? '' : 'totalCount'}
          pageInfo { hasNextPage endCursor }
          edges { cursor node { ${selection} } }
        }
      }
      ${fragments}`,
      { first, after },
    );
    expect(JSON.stringify(response)).not.toMatch(STACK_TRACE);
    if (first > 1 && response.errors?.[0]?.extensions?.['limit'] === 'cost') {
      first = Math.floor(first / 2);
      continue;
    }
    expect(response.errors ?? []).toEqual([]);
    const page: any = response.data.page;
    edges.push(...page.edges);
    totalCount = page.totalCount;
    if (!page.pageInfo.hasNextPage) return { totalCount, edges };
    after = page.pageInfo.endCursor;
  }
}

/** The whole global log with its cursors, in commit order. */
export function logEdges(server: TestServer): Promise<Page<LoggedEvent>> {
  return pageAll<LoggedEvent>(server, 'events', EVENT_FIELDS);
}

/** The whole global log, in commit order. */
export async function readLog(server: TestServer): Promise<LoggedEvent[]> {
  return (await logEdges(server)).edges.map((edge) => edge.node);
}
