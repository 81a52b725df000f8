import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { ok, send } from './support/commands';
import { Sample, parsePrometheusText, valueOf } from './support/prometheus-text';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const LONG_AGO = '2020-01-01T00:00:00.000Z';

async function scrape(server: TestServer, token?: string): Promise<Response> {
  return fetch(server.url.replace(/\/graphql$/, '/metrics'), {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

async function samples(server: TestServer, token?: string): Promise<Sample[]> {
  const response = await scrape(server, token);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

const commands = (scraped: readonly Sample[], labels: Record<string, string>): number =>
  valueOf(scraped, 'partnerships_command_duration_seconds_count', labels);

/** /metrics over real HTTP against the built server, read as Prometheus reads it. */
describe('/metrics', () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  describe('on an open development server', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer(join(directory.path, 'open.db'));
    });
    afterAll(() => server.close());

    it('counts recorded commands, their group commits and the requests that carried them', async () => {
      const before = await samples(server);
      for (const id of ['a', 'b', 'c']) {
        await ok(server, 'registerOrganization', { id, name: `Org ${id}`, effectiveAt: LONG_AGO });
      }
      await ok(server, 'foundGroup', { id: 'g', name: 'G', effectiveAt: LONG_AGO });
      const answer = await server.gql('{ network { stats { organizations } } }');
      expect(answer.errors).toBeUndefined();
      const after = await samples(server);

      const moved = (name: string, labels: Record<string, string> = {}): number =>
        valueOf(after, name, labels) - valueOf(before, name, labels);
      expect(
        moved('partnerships_command_duration_seconds_count', {
          command: 'registerOrganization',
          outcome: 'recorded',
        }),
      ).toBe(3);
      expect(
        moved('partnerships_command_duration_seconds_count', {
          command: 'foundGroup',
          outcome: 'recorded',
        }),
      ).toBe(1);
      // Every recorded command was one append of some durable group commit.
      expect(moved('partnerships_event_store_group_commit_appends_sum')).toBe(4);
      const commits = moved('partnerships_event_store_group_commit_appends_count');
      expect(commits).toBeGreaterThanOrEqual(1);
      expect(commits).toBeLessThanOrEqual(4);
      // Requests by operation type, never by the operation's free text.
      expect(
        moved('partnerships_http_request_duration_seconds_count', {
          route: '/graphql',
          operation: 'mutation',
          status: '200',
        }),
      ).toBe(4);
      expect(
        moved('partnerships_http_request_duration_seconds_count', {
          route: '/graphql',
          operation: 'query',
        }),
      ).toBe(1);
      const operations = new Set(
        after
          .filter((sample) => sample.name === 'partnerships_http_request_duration_seconds_count')
          .map((sample) => sample.labels['operation']),
      );
      expect(
        [...operations].every((type) =>
          ['query', 'mutation', 'subscription', 'none'].includes(type!),
        ),
      ).toBe(true);
      // Histogram buckets are cumulative and end with everything.
      const buckets = after.filter(
        (sample) =>
          sample.name === 'partnerships_command_duration_seconds_bucket' &&
          sample.labels['command'] === 'registerOrganization' &&
          sample.labels['outcome'] === 'recorded',
      );
      const counts = buckets.map((bucket) => bucket.value);
      expect(counts).toEqual([...counts].sort((x, y) => x - y));
      expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: 3 });
      // The read model holds everything and the audit tree covers it.
      expect(valueOf(after, 'partnerships_projection_lag_events')).toBe(0);
      expect(valueOf(after, 'partnerships_projection_lag_seconds')).toBe(0);
      expect(valueOf(after, 'partnerships_audit_tree_leaves')).toBe(4);
      // The checkpoint thread (every 50 ms) copies the store's log into its file.
      const pending = async (): Promise<number | undefined> =>
        (await samples(server)).find(
          (sample) => sample.name === 'partnerships_event_store_wal_frames_pending',
        )?.value;
      const deadline = Date.now() + 5_000;
      while ((await pending()) !== 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await pending()).toBe(0);
      // The process: memory and Node's default metrics.
      expect(valueOf(after, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
      expect(valueOf(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(after.some((sample) => sample.name === 'nodejs_eventloop_lag_p99_seconds')).toBe(true);
    });

    it('has no snapshot figures while there is no snapshot (not a snapshot of age 0)', async () => {
      // A new store rebuilt from nothing, and far fewer events than a snapshot waits for.
      const scraped = await samples(server);
      const names = new Set(scraped.map((sample) => sample.name));
      for (const name of [
        'partnerships_snapshot_age_seconds',
        'partnerships_snapshot_events',
        'partnerships_snapshot_last_write_seconds',
        'partnerships_snapshot_last_blocked_seconds',
        'partnerships_snapshot_last_bytes',
      ]) {
        expect([name, names.has(name)]).toEqual([name, false]);
      }
    });

    it('counts a refused command as refused, with its rule, and a conflict as a conflict', async () => {
      const before = await samples(server);
      const refused = await send(server, 'registerOrganization', { id: 'a', name: 'Again' });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'RULE_VIOLATION',
        rule: 'ORGANIZATION_EXISTS',
      });
      const missing = await send(server, 'joinGroup', {
        groupId: 'nowhere',
        organizationId: 'a',
        position: 'CORE',
      });
      expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      const conflict = await send(server, 'joinGroup', {
        groupId: 'g',
        organizationId: 'a',
        position: 'CORE',
        expectedVersion: 7,
      });
      expect(conflict.errors?.[0]?.extensions?.['code']).toBe('CONCURRENCY_CONFLICT');
      const after = await samples(server);

      const moved = (labels: Record<string, string>): number =>
        commands(after, labels) - commands(before, labels);
      expect(moved({ command: 'registerOrganization', outcome: 'refused' })).toBe(1);
      expect(moved({ command: 'registerOrganization', outcome: 'recorded' })).toBe(0);
      expect(moved({ command: 'joinGroup', outcome: 'refused' })).toBe(1);
      expect(moved({ command: 'joinGroup', outcome: 'conflict' })).toBe(1);
      expect(moved({ command: 'joinGroup', outcome: 'recorded' })).toBe(0);
      const refusals = (labels: Record<string, string>): number =>
        valueOf(after, 'partnerships_command_refusals_total', labels) -
        valueOf(before, 'partnerships_command_refusals_total', labels);
      expect(refusals({ command: 'registerOrganization', reason: 'ORGANIZATION_EXISTS' })).toBe(1);
      expect(refusals({ command: 'joinGroup', reason: 'NOT_FOUND' })).toBe(1);
      // Nothing was recorded: no group commit held any of them.
      expect(
        valueOf(after, 'partnerships_event_store_group_commit_appends_sum') -
          valueOf(before, 'partnerships_event_store_group_commit_appends_sum'),
      ).toBe(0);
      expect(valueOf(after, 'partnerships_audit_tree_leaves')).toBe(4);
    });

    it('shows the read model catching up with events another process recorded', async () => {
      const writer = SqliteEventStore.open(server.file);
      const added = 2_000;
      try {
        await writer.importRecorded(
          Array.from({ length: added }, (_, index) => ({
            id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
            streamId: `organization-other-${index}`,
            revision: 0,
            position: '',
            type: 'OrganizationRegistered',
            data: { organizationId: `other-${index}`, name: `Other ${index}` },
            effectiveAt: new Date(LONG_AGO),
            recordedAt: new Date(),
            metadata: {
              actor: 'other-process',
              commandId: `other-${index}`,
              correlationId: `other-${index}`,
              causationId: `other-${index}`,
              commandDigest: 'other',
            },
            schemaVersion: 1,
          })),
        );
      } finally {
        await writer.close();
      }
      // Wait for the thing: the scrape that shows the whole log applied.
      let scraped = await samples(server);
      while (valueOf(scraped, 'partnerships_audit_tree_leaves') < 4 + added) {
        await new Promise((resolve) => setImmediate(resolve));
        scraped = await samples(server);
      }
      expect(valueOf(scraped, 'partnerships_audit_tree_leaves')).toBe(4 + added);
      expect(valueOf(scraped, 'partnerships_projection_lag_events')).toBe(0);
      expect(valueOf(scraped, 'partnerships_projection_lag_seconds')).toBe(0);
    });
  });

  describe('access', () => {
    const TOKEN = 'scraper-token-5Kd';

    it('with METRICS_TOKEN, answers only a scraper that sends it', async () => {
      const server = await startServer(join(directory.path, 'token.db'), { METRICS_TOKEN: TOKEN });
      try {
        const without = await scrape(server);
        expect(without.status).toBe(401);
        expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(await without.text()).not.toMatch(/partnerships_/);
        expect((await scrape(server, 'wrong-token')).status).toBe(401);
        const scraped = await samples(server, TOKEN);
        expect(scraped.some((sample) => sample.name === 'process_resident_memory_bytes')).toBe(
          true,
        );
      } finally {
        await server.close();
      }
    });

    it('in production, is refused until METRICS_TOKEN is set', async () => {
      const key = 'metrics-test-manager-key';
      const API_KEYS = `max:manager:${createHash('sha256').update(key).digest('hex')}`;
      const production = { NODE_ENV: 'production', API_KEYS };
      const closed = await startServer(join(directory.path, 'production.db'), production);
      try {
        const refused = await scrape(closed);
        expect(refused.status).toBe(403);
        expect(await refused.text()).toMatch(/METRICS_TOKEN/);
        // An API key of the GraphQL API is not a metrics token.
        expect((await scrape(closed, key)).status).toBe(403);
      } finally {
        await closed.close();
      }
      const open = await startServer(join(directory.path, 'production.db'), {
        ...production,
        METRICS_TOKEN: TOKEN,
      });
      try {
        expect((await scrape(open)).status).toBe(401);
        expect((await samples(open, TOKEN)).length).toBeGreaterThan(0);
      } finally {
        await open.close();
      }
    });
  });
});
