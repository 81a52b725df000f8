/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { Page } from 'playwright-core';
import { ARTIFACTS, TestBrowser, launchChromium } from './support/browser';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';
import { RULES } from '../apps/dashboard/src/rules';

/**
 * The dashboard in real headless Chromium (Debian's), against the built server on a
 * temporary store seeded through GraphQL. Screenshots of each state go to test-artifacts/.
 */

const SEED = `mutation {
  a: registerOrganization(input: { id: "acme", name: "Acme Housing", effectiveAt: "2026-01-05T09:00:00Z" }) { id }
  b: registerOrganization(input: { id: "northcare", name: "Northcare", effectiveAt: "2026-01-05T09:00:00Z" }) { id }
  c: registerOrganization(input: { id: "citylib", name: "City Library", effectiveAt: "2026-01-05T09:00:00Z" }) { id }
  d: registerOrganization(input: { id: "riverside", name: "Riverside Care", effectiveAt: "2026-01-05T09:00:00Z" }) { id }
  e: registerOrganization(input: { id: "loner", name: "Lone Foundation", effectiveAt: "2026-01-05T09:00:00Z" }) { id }
  w: foundGroup(input: { id: "west", name: "West District Network", effectiveAt: "2026-01-06T09:00:00Z" }) { id }
  x: foundGroup(input: { id: "east", name: "East Side Alliance", effectiveAt: "2026-01-06T09:00:00Z" }) { id }
}`;
const JOINS = `mutation {
  j1: joinGroup(input: { groupId: "west", organizationId: "acme", position: CORE, effectiveAt: "2026-01-10T09:00:00Z" }) { id }
  j2: joinGroup(input: { groupId: "west", organizationId: "northcare", position: RING, effectiveAt: "2026-01-10T09:00:00Z" }) { id }
  j3: joinGroup(input: { groupId: "west", organizationId: "citylib", position: FREE_SPACE, effectiveAt: "2026-01-10T09:00:00Z" }) { id }
  j4: joinGroup(input: { groupId: "east", organizationId: "acme", position: RING, effectiveAt: "2026-01-10T09:00:00Z" }) { id }
  j5: joinGroup(input: { groupId: "east", organizationId: "riverside", position: CORE, effectiveAt: "2026-01-10T09:00:00Z" }) { id }
}`;
const LATER = `mutation {
  m: changePosition(input: { groupId: "west", organizationId: "northcare", position: CORE, effectiveAt: "2026-03-01T09:00:00Z" }) { id }
  p: formPartnership(input: { id: "warm-homes", name: "Warm Homes", partyIds: ["acme", "northcare"], groupId: "west", effectiveAt: "2026-03-05T09:00:00Z", intendedEndAt: "2030-12-31T00:00:00Z" }) { id }
}`;
/** Recorded after `knownBefore`, but in effect since 1 February: a backdated fact. */
const BACKDATED = `mutation {
  joinGroup(input: { groupId: "east", organizationId: "citylib", position: RING, effectiveAt: "2026-02-01T09:00:00Z" }) { id }
}`;

type Membership = Record<string, string>;

async function ok(server: TestServer, query: string, variables?: Record<string, unknown>) {
  const response = await server.gql(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** What the accessible table says a group holds: organisation id → position. */
async function tableMembers(page: Page, groupId: string): Promise<Membership> {
  await page.locator(`table[data-group="${groupId}"]`).waitFor();
  return page.$$eval(`table[data-group="${groupId}"] tbody tr`, (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.getAttribute('data-organization')!,
        row.querySelector('td[data-position]')!.getAttribute('data-position')!,
      ]),
    ),
  );
}

/**
 * What the drawing holds for a group: each dot's organisation and position, and which band
 * its centre actually lies in (measured from the group's centre against the drawn rings).
 */
async function drawnMembers(page: Page, groupId: string) {
  await page.locator(`g.group[data-group="${groupId}"]`).waitFor();
  return page.evaluate((id) => {
    const group = document.querySelector(`g.group[data-group="${id}"]`) as SVGGElement;
    const match = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(group.getAttribute('transform')!)!;
    const [cx, cy] = [Number(match[1]), Number(match[2])];
    const radii = Array.from(group.querySelectorAll('g.bands circle'), (c) =>
      Number(c.getAttribute('r')),
    ).sort((a, b) => a - b);
    const bands = ['CORE', 'RING', 'FREE_SPACE'];
    const result: Record<string, { position: string; band: string }> = {};
    for (const dot of document.querySelectorAll(`circle.node[data-group="${id}"]`)) {
      const d = Math.hypot(
        Number(dot.getAttribute('cx')) - cx,
        Number(dot.getAttribute('cy')) - cy,
      );
      result[dot.getAttribute('data-organization')!] = {
        position: dot.getAttribute('data-position')!,
        band: bands[radii.findIndex((r) => d < r)] ?? 'outside',
      };
    }
    return result;
  }, groupId);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

describe('the dashboard in Chromium (open server)', () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  let chromium: TestBrowser;
  let origin: string;
  let knownBefore: string;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    origin = new URL(server.url).origin;
    await ok(server, SEED);
    await ok(server, JOINS);
    await ok(server, LATER);
    const log = await ok(server, '{ events(first: 500) { edges { node { recordedAt } } } }');
    knownBefore = log.events.edges.at(-1).node.recordedAt;
    await ok(server, BACKDATED);
    const after = await ok(server, '{ events(first: 500) { edges { node { recordedAt } } } }');
    // The backdated fact was recorded strictly after the moment the test looks back from.
    expect(Date.parse(after.events.edges.at(-1).node.recordedAt)).toBeGreaterThan(
      Date.parse(knownBefore),
    );
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    directory.remove();
  });

  beforeEach(async () => {
    problems = [];
    page = await chromium.browser.newPage({ viewport: { width: 1400, height: 950 } });
    // Fail with Playwright's own message well before jest's timeout.
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  async function open(path = '/') {
    await page.goto(`${origin}${path}`);
    await page.locator('.stats').waitFor();
  }

  it('loads at / with no console error and draws every group as rings', async () => {
    await open();
    await page.locator('circle.node').first().waitFor();
    await expect(page.locator('g.group').count()).resolves.toBe(2);
    await expect(page.locator('.legend').textContent()).resolves.toContain('free space');
    await shot(page, 'now');
  });

  it('shows each group with exactly its members in the right rings, in the table and the drawing', async () => {
    const expected = {
      west: { acme: 'CORE', northcare: 'CORE', citylib: 'FREE_SPACE' },
      east: { acme: 'RING', riverside: 'CORE', citylib: 'RING' },
    };
    await open();
    for (const [groupId, members] of Object.entries(expected)) {
      const drawn = await drawnMembers(page, groupId);
      expect(Object.keys(drawn).sort()).toEqual(Object.keys(members).sort());
      for (const [organizationId, position] of Object.entries(members)) {
        expect(drawn[organizationId]).toEqual({ position, band: position });
      }
    }
    // One organisation in two groups: two dots, joined by a line.
    await expect(page.locator('circle.node[data-organization="acme"]').count()).resolves.toBe(2);
    await expect(page.locator('line.link.same').count()).resolves.toBeGreaterThanOrEqual(2);
    // The organisation in no group is drawn apart.
    await expect(
      page.locator('circle.node.loose[data-organization="loner"]').count(),
    ).resolves.toBe(1);
    await page.getByRole('button', { name: 'Table' }).click();
    for (const [groupId, members] of Object.entries(expected)) {
      expect(await tableMembers(page, groupId)).toEqual(members);
    }
    await shot(page, 'table');
  });

  it('shows the earlier network when the slider moves to a past date, and the link reproduces it', async () => {
    await open();
    const slider = page.locator('#as-of');
    await slider.evaluate((input: HTMLInputElement, value) => {
      input.value = String(value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, Date.parse('2026-02-15T12:00:00Z'));
    await page.locator('.as-of-label', { hasText: 'As of 2026-02-15' }).waitFor();
    // The drawing says which time it shows once it shows it.
    await page.locator('.picture svg[data-as-of^="2026-02-15"]').waitFor();
    const drawn = await drawnMembers(page, 'west');
    expect(drawn['northcare']).toEqual({ position: 'RING', band: 'RING' });
    await expect(page.locator('line.link.partnership').count()).resolves.toBe(0);
    await shot(page, 'past');
    const link = page.url();
    expect(new URL(link).searchParams.get('asOf')).toMatch(/^2026-02-15T/);
    await page.goto(link);
    await page.getByRole('button', { name: 'Table' }).click();
    expect(await tableMembers(page, 'west')).toEqual({
      acme: 'CORE',
      northcare: 'RING',
      citylib: 'FREE_SPACE',
    });
  });

  it('hides a backdated fact with "known at" set before it was recorded', async () => {
    await open(`/?view=table&knownAt=${encodeURIComponent(knownBefore)}`);
    expect(await tableMembers(page, 'east')).toEqual({ acme: 'RING', riverside: 'CORE' });
    await shot(page, 'known-at-before');
    await page.locator('#known-at').waitFor();
    await page.getByRole('button', { name: 'Now' }).nth(1).click();
    await page.locator('table[data-group="east"] tr[data-organization="citylib"]').waitFor();
  });

  it('compares two dates: what moved, joined and formed, highlighted and listed', async () => {
    await open('/?compareFrom=2026-01-20T00:00:00.000Z');
    await page.locator('.changes li').first().waitFor();
    const listed = await page.locator('.changes li').allTextContents();
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^moved: Northcare moved in West District Network: ring → core/),
        expect.stringMatching(/^joined: City Library joined East Side Alliance \(ring\)/),
        expect.stringMatching(/^formed: Partnership Warm Homes formed/),
      ]),
    );
    await page
      .locator('circle.node.moved[data-group="west"][data-organization="northcare"]')
      .waitFor();
    await page
      .locator('circle.node.joined[data-group="east"][data-organization="citylib"]')
      .waitFor();
    await shot(page, 'compare');
  });

  it('focuses on one group, from its details, and back to the whole network', async () => {
    await open('/?selected=group:west');
    await page.getByRole('button', { name: 'Show only this group' }).click();
    await page.locator('.focus-note').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('g.group').length === 1);
    expect(Object.keys(await drawnMembers(page, 'west')).sort()).toEqual([
      'acme',
      'citylib',
      'northcare',
    ]);
    expect(new URL(page.url()).searchParams.get('group')).toBe('west');
    await shot(page, 'focus');
    await page.getByRole('button', { name: 'Show the whole network' }).click();
    await page.locator('g.group[data-group="east"]').waitFor();
  });

  it('plays through time', async () => {
    await open();
    await page.locator('#as-of').waitFor();
    await page.getByRole('button', { name: '▶ Play' }).click();
    // It starts at the first valid time and steps forward on its own.
    await page.locator('.as-of-label', { hasText: 'As of 2026-01-05' }).waitFor();
    await page.waitForFunction(
      () => !document.querySelector('.as-of-label')!.textContent!.includes('As of 2026-01-05'),
    );
    await page.getByRole('button', { name: '❚❚ Pause' }).click();
    const paused = new URL(page.url()).searchParams.get('asOf')!;
    expect(Date.parse(paused)).toBeGreaterThan(Date.parse('2026-01-05T09:00:00Z'));
  });

  it('shows details of an organisation when its dot is clicked', async () => {
    await ok(
      server,
      `mutation {
        a: assessCapability(input: { organizationId: "acme", ambition: 4, realized: 2, effectiveAt: "2026-02-01T09:00:00Z" }) { id }
      }`,
    );
    await ok(
      server,
      'mutation { assessCapability(input: { organizationId: "acme", ambition: 4, realized: 3 }) { id } }',
    );
    await open();
    await page.locator('circle.node[data-organization="acme"]').first().click();
    const details = page.getByRole('complementary', { name: 'Details' });
    await details.getByRole('heading', { name: 'Acme Housing' }).waitFor();
    await details.getByRole('button', { name: 'Warm Homes' }).first().waitFor();
    const chart = details.locator('svg[aria-label="Capability over time"]');
    await chart.locator('path.realized').waitFor();
    await expect(chart.locator('circle.realized-point').count()).resolves.toBe(2);
    expect(new URL(page.url()).searchParams.get('selected')).toBe('organization:acme');
    await shot(page, 'details');
  });

  it("fits a phone's screen: no view is wider than it, a dot's tooltip at the right edge included", async () => {
    const width = 390;
    await page.setViewportSize({ width, height: 844 });
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    await open();
    await page.locator('circle.node').first().waitFor();
    expect(await pageWidth()).toBeLessThanOrEqual(width);
    // The dot furthest right, whose tooltip would run off the screen to the right of it.
    const boxes = await page
      .locator('circle.node')
      .evaluateAll((nodes) => nodes.map((node) => node.getBoundingClientRect().right));
    const rightmost = boxes.indexOf(Math.max(...boxes));
    await page.locator('circle.node').nth(rightmost).hover();
    await page.locator('.tooltip').waitFor();
    expect(await pageWidth()).toBeLessThanOrEqual(width);
    await page.locator('circle.node').nth(rightmost).click();
    await page.getByRole('complementary', { name: 'Details' }).waitFor();
    expect(await pageWidth()).toBeLessThanOrEqual(width);
    await shot(page, 'phone-details');
    await page.getByRole('button', { name: 'Table' }).click();
    await page.locator('.tables table').first().waitFor();
    expect(await pageWidth()).toBeLessThanOrEqual(width);
    await open('/?tab=record');
    await page.locator('form[data-command="joinGroup"]').waitFor();
    expect(await pageWidth()).toBeLessThanOrEqual(width);
    await open('/?tab=log');
    await page.locator('table[aria-label="Event log"] tbody tr').first().waitFor();
    expect(await pageWidth()).toBeLessThanOrEqual(width);
    await shot(page, 'phone-log');
  });

  it('shows a mutation made by another client within 2 s, without a reload', async () => {
    await open('/?view=table');
    await page.locator('.status-live').waitFor();
    await ok(
      server,
      `mutation {
        r: registerOrganization(input: { id: "newcomer", name: "Newcomer Trust" }) { id }
        j: joinGroup(input: { groupId: "east", organizationId: "newcomer", position: FREE_SPACE }) { id }
      }`,
    );
    await page
      .locator('table[data-group="east"] tr[data-organization="newcomer"]')
      .waitFor({ timeout: 2_000 });
    await page.locator('.feed li', { hasText: 'group-east' }).waitFor({ timeout: 2_000 });
    await shot(page, 'live');
  });

  it('lets a manager record a JoinGroup through the form and draws it', async () => {
    await open('/?tab=record');
    const form = page.locator('form[data-command="joinGroup"]');
    await form.locator('select[name="groupId"]').selectOption('west');
    await form.locator('select[name="organizationId"]').selectOption('loner');
    await form.locator('select[name="position"]').selectOption('CORE');
    await form.getByRole('button', { name: 'Record' }).click();
    await form.getByRole('status').waitFor();
    await shot(page, 'form-recorded');
    await page.getByRole('button', { name: 'Network' }).click();
    await page.locator('circle.node[data-group="west"][data-organization="loner"]').waitFor();
    const drawn = await drawnMembers(page, 'west');
    expect(drawn['loner']).toEqual({ position: 'CORE', band: 'CORE' });
    const group = await ok(
      server,
      '{ group(id: "west") { members { organization { id } position } } }',
    );
    expect(group.group.members).toContainEqual({ organization: { id: 'loner' }, position: 'CORE' });
  });

  it('retries a command whose answer was lost with the same commandId, recording it once', async () => {
    const count = async () =>
      (await ok(server, '{ events(first: 500) { edges { cursor } } }')).events.edges.length;
    const before = await count();
    const sent: string[] = [];
    // The first registerOrganization reaches the server and is recorded, but its answer is
    // lost on the way back: the page sees a network error.
    let lost = false;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('registerOrganization(input: $input)')) return route.continue();
      sent.push(JSON.parse(body).variables.input.commandId);
      if (lost) return route.continue();
      lost = true;
      await route.fetch();
      return route.abort('connectionreset');
    });
    await open('/?tab=record');
    const form = page.locator('form[data-command="registerOrganization"]');
    await form.locator('input[name="id"]').fill('retried');
    await form.locator('input[name="name"]').fill('Retried Trust');
    await form.getByRole('button', { name: 'Record' }).click();
    await form.getByRole('button', { name: 'Record again' }).waitFor();
    await shot(page, 'retry');
    await form.getByRole('button', { name: 'Record again' }).click();
    await form.getByRole('status').waitFor();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    expect(await count()).toBe(before + 1);
    // The lost request's failure is the browser's own console line; nothing else.
    problems = problems.filter((problem) => !problem.includes('ERR_CONNECTION_RESET'));
  });

  it('shows a rule error in words next to its field and records nothing', async () => {
    const count = async () =>
      (await ok(server, '{ events(first: 500) { edges { cursor } } }')).events.edges.length;
    const before = await count();
    await open('/?tab=record');
    const form = page.locator('form[data-command="changePosition"]');
    await form.locator('select[name="groupId"]').selectOption('west');
    await form.locator('select[name="organizationId"]').selectOption('acme');
    await form.locator('select[name="position"]').selectOption('CORE');
    await form.getByRole('button', { name: 'Record' }).click();
    const error = form.locator('#changePosition-position-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(RULES['SAME_POSITION']!.sentence);
    await expect(
      form.locator('select[name="position"]').getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    await shot(page, 'rule-error');
    expect(await count()).toBe(before);
  });

  it('offers the event log (auditors and managers) with the known-at control', async () => {
    await open(`/?tab=log&knownAt=${encodeURIComponent(knownBefore)}`);
    await page.locator('table[aria-label="Event log"] tbody tr').first().waitFor();
    const streams = await page
      .locator('table[aria-label="Event log"] tbody td code')
      .allTextContents();
    expect(streams).toContain('group-west');
    // The backdated join and everything after it were recorded after knownBefore.
    const rows = await page.locator('table[aria-label="Event log"] tbody tr').count();
    const all = (await ok(server, '{ events(first: 500) { edges { cursor } } }')).events.edges
      .length;
    expect(rows).toBeLessThan(all);
  });

  it("records an arrangement with each party's commitment through the form, and shows them", async () => {
    await open('/?tab=record');
    const form = page.locator('form[data-command="agreeArrangement"]');
    await form.locator('select[name="partnershipId"]').selectOption('warm-homes');
    await form.locator('input[name="arrangementId"]').fill('insulation');
    await form.locator('input[name="title"]').fill('Insulation round');
    await form.locator('textarea[name="terms"]').fill('Fifty homes before winter.');
    await form.getByRole('button', { name: 'Add a commitment' }).click();
    await form.getByRole('button', { name: 'Add a commitment' }).click();
    await form.getByLabel('Party of commitment 1').selectOption('acme');
    await form.getByLabel('Part of the work of commitment 1').fill('Insulates the houses');
    await form.getByLabel('Party of commitment 2').selectOption('northcare');
    await form.getByLabel('Part of the work of commitment 2').fill('Visits the tenants');
    await form.getByRole('button', { name: 'Record' }).click();
    await form.getByRole('status').waitFor();
    const stored = await ok(
      server,
      '{ partnership(id: "warm-homes") { arrangements { id commitments { organization { id } commitment } } } }',
    );
    expect(stored.partnership.arrangements).toContainEqual({
      id: 'insulation',
      commitments: [
        { organization: { id: 'acme' }, commitment: 'Insulates the houses' },
        { organization: { id: 'northcare' }, commitment: 'Visits the tenants' },
      ],
    });
    await open('/?selected=partnership:warm-homes');
    const list = page.getByRole('list', { name: 'Commitments under Insulation round' });
    await list.waitFor();
    await expect(list.locator('li').allTextContents()).resolves.toEqual([
      'Acme Housing: Insulates the houses',
      'Northcare: Visits the tenants',
    ]);
    await shot(page, 'commitments');
  });

  it('names a commitment by a non-party next to the commitments field, and records nothing', async () => {
    const count = async () =>
      (await ok(server, '{ events(first: 500) { edges { cursor } } }')).events.edges.length;
    const before = await count();
    await open('/?tab=record');
    const form = page.locator('form[data-command="agreeArrangement"]');
    await form.locator('select[name="partnershipId"]').selectOption('warm-homes');
    await form.locator('input[name="title"]').fill('Library corner');
    await form.locator('textarea[name="terms"]').fill('Books in the waiting room.');
    await form.getByRole('button', { name: 'Add a commitment' }).click();
    await form.getByLabel('Party of commitment 1').selectOption('citylib');
    await form.getByLabel('Part of the work of commitment 1').fill('Brings the books');
    await form.getByRole('button', { name: 'Record' }).click();
    const error = form.locator('#agreeArrangement-commitments-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(RULES['NOT_A_PARTY']!.sentence);
    await shot(page, 'commitment-error');
    expect(await count()).toBe(before);
  });

  it("shows an organisation's interventions, whether the gap closed, and whom it works with", async () => {
    await ok(
      server,
      `mutation {
        a: assessCapability(input: { organizationId: "riverside", ambition: 5, realized: 2, effectiveAt: "2026-02-02T09:00:00Z" }) { id }
      }`,
    );
    await ok(
      server,
      `mutation {
        i: recordIntervention(input: { interventionId: "coaching", organizationId: "riverside", title: "Coaching on joint planning", aim: "Plan care rounds with the partners", effectiveAt: "2026-02-10T09:00:00Z" }) { id }
      }`,
    );
    await ok(
      server,
      'mutation { assessCapability(input: { organizationId: "riverside", ambition: 5, realized: 4 }) { id } }',
    );
    await open('/?selected=organization:riverside');
    const details = page.getByRole('complementary', { name: 'Details' });
    await details.getByRole('heading', { name: 'Riverside Care' }).waitFor();
    const intervention = details.locator('li[data-intervention="coaching"]');
    await intervention.waitFor();
    await expect(intervention.textContent()).resolves.toMatch(
      /Coaching on joint planning.*Plan care rounds with the partners.*the gap closed from 3 to 1/,
    );
    // Riverside is in East with Acme (since both joined) and City Library (backdated join).
    const relations = details.locator('ul.relations > li');
    await expect(
      relations.evaluateAll((items) => items.map((item) => item.getAttribute('data-organization'))),
    ).resolves.toEqual(expect.arrayContaining(['acme', 'citylib']));
    await expect(
      details.locator('ul.relations > li[data-organization="acme"]').textContent(),
    ).resolves.toMatch(/Acme Housing since 2026-01-10 · in East Side Alliance/);
    await shot(page, 'interventions-relations');
  });

  it('draws a network larger than its dots budget as rings with counts, and members where looked at', async () => {
    const server_ = await ok(
      server,
      `{ network { groups(first: 10) { edges { node { id membersByPosition { core ring freeSpace } members { position } } } } } }`,
    );
    const counts: Record<string, { core: number; ring: number; freeSpace: number }> = {};
    for (const { node } of server_.network.groups.edges) {
      counts[node.id] = node.membersByPosition;
      // The counts agree with the member list they summarise.
      const tally = { core: 0, ring: 0, freeSpace: 0 };
      for (const member of node.members) {
        if (member.position === 'CORE') tally.core++;
        else if (member.position === 'RING') tally.ring++;
        else tally.freeSpace++;
      }
      expect(node.membersByPosition).toEqual(tally);
    }
    const smallest = Math.min(...Object.values(counts).map((c) => c.core + c.ring + c.freeSpace));
    // A budget below the two groups together but enough for either one.
    await open(`/?dots=${smallest + 1}`);
    await page.locator('.picture svg[data-complete="true"][data-detailed="1"]').waitFor();
    const summary = page.locator('g.group.summary');
    await expect(summary.count()).resolves.toBe(1);
    const summarised = (await summary.getAttribute('data-group'))!;
    const detailed = summarised === 'west' ? 'east' : 'west';
    const c = counts[summarised]!;
    await expect(summary.locator('text.group-counts').textContent()).resolves.toBe(
      `${c.core} · ${c.ring} · ${c.freeSpace}`,
    );
    await expect(page.locator(`circle.node[data-group="${summarised}"]`).count()).resolves.toBe(0);
    const d = counts[detailed]!;
    await expect(page.locator(`circle.node[data-group="${detailed}"]`).count()).resolves.toBe(
      d.core + d.ring + d.freeSpace,
    );
    await shot(page, 'large-overview');
    // The table gives every group's counts, and lists members once asked.
    await page.getByRole('button', { name: 'Table' }).click();
    const row = page.locator(`table[aria-label="Groups"] tr[data-group="${summarised}"]`);
    await expect(row.locator('td[data-position]').allTextContents()).resolves.toEqual([
      String(c.core),
      String(c.ring),
      String(c.freeSpace),
    ]);
    await row.getByRole('button', { name: 'Show members' }).click();
    const listed = await tableMembers(page, summarised);
    expect(Object.keys(listed)).toHaveLength(c.core + c.ring + c.freeSpace);
    await shot(page, 'large-table');
  });

  it('serves GraphiQL from its own assets: the editor renders and no request leaves the server', async () => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${origin}/graphiql`);
    await page.locator('.graphiql-container .graphiql-query-editor .CodeMirror').waitFor();
    await page.locator('#credential').waitFor();
    await shot(page, 'graphiql');
    const elsewhere = requested.filter(
      (url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'),
    );
    expect(elsewhere).toEqual([]);
    expect(requested.length).toBeGreaterThan(0);
  });
});

/**
 * In the page: every pair of names beside the dots that overlap, and every name over a
 * dot (boxes in the picture's own coordinates), as "a / b" strings.
 */
function overlapsInPicture(): string[] {
  type Box = { left: number; right: number; top: number; bottom: number; name: string };
  const boxOf = (element: SVGGraphicsElement, name: string): Box => {
    const box = element.getBBox();
    return { left: box.x, right: box.x + box.width, top: box.y, bottom: box.y + box.height, name };
  };
  const hit = (a: Box, b: Box) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const labels = [...document.querySelectorAll<SVGTextElement>('text.node-label')].map((text) =>
    boxOf(text, text.textContent ?? ''),
  );
  const dots = [...document.querySelectorAll<SVGCircleElement>('circle.node')].map((dot) =>
    boxOf(dot, `dot of ${dot.dataset['organization']}`),
  );
  const found: string[] = [];
  labels.forEach((label, index) => {
    for (const other of [...labels.slice(index + 1), ...dots]) {
      if (hit(label, other)) found.push(`${label.name} / ${other.name}`);
    }
  });
  return found;
}

describe('the dashboard in Chromium (with credentials)', () => {
  const KEYS = { viewer: 'dash-viewer-key-5Rt', manager: 'dash-manager-key-8Wq' };
  const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
  const directory = temporaryDirectory();
  let server: TestServer;
  let chromium: TestBrowser;
  let origin: string;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'), {
      API_KEYS: `vera:viewer:${sha256(KEYS.viewer)},max:manager:${sha256(KEYS.manager)}`,
    });
    origin = new URL(server.url).origin;
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.manager}` },
      body: JSON.stringify({ query: SEED }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    directory.remove();
  });

  async function signIn(page: Page, key: string) {
    await page.goto(`${origin}/?tab=record`);
    await page.locator('#credential').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('answers a wrong key with a clear sign-in error', async () => {
    const page = await chromium.browser.newPage();
    await signIn(page, 'not-a-key');
    const error = page.locator('#sign-in-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('Sign-in failed');
    await expect(page.locator('#credential').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sign-in-error.png') });
    await page.close();
  });

  it('shows a viewer the network and no forms', async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 950 } });
    await signIn(page, KEYS.viewer);
    await page.locator('.who', { hasText: 'Signed in as viewer' }).waitFor();
    await page.locator('g.group').first().waitFor();
    await expect(page.locator('form').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Record' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Event log' }).count()).resolves.toBe(0);
    // Five organisations in no group, listed: every name is shown, none over another or a dot.
    await expect(page.locator('text.node-label').count()).resolves.toBe(5);
    await expect(page.evaluate(overlapsInPicture)).resolves.toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-viewer.png'), fullPage: true });
    await page.close();
  });

  it('shows a signed-in manager the forms', async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 950 } });
    await signIn(page, KEYS.manager);
    await page.locator('.who', { hasText: 'Signed in as manager' }).waitFor();
    // One form for every mutation the server serves.
    const served = buildSchema(
      readFileSync(
        join(__dirname, '..', 'apps', 'api', 'src', 'graphql', 'schema.graphql'),
        'utf8',
      ),
    );
    const mutations = Object.keys(served.getMutationType()?.getFields() ?? {});
    await expect(page.locator('form.command').count()).resolves.toBe(mutations.length);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-forms.png'), fullPage: true });
    await page.close();
  });
});

describe('the dashboard in Chromium (a dropped connection)', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  // The same port after the restart, so that the page's reconnect finds the new server;
  // below Linux's ephemeral range (32768 on), where another test's outgoing connection may
  // hold the port while the server is down (EADDRINUSE at the restart, seen once).
  const port = String(20_000 + Math.floor(Math.random() * 12_000));
  let server: TestServer;
  let chromium: TestBrowser;

  beforeAll(async () => {
    server = await startServer(file, { PORT: port });
    await ok(server, SEED);
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    directory.remove();
  });

  it('shows a banner while the server is gone, reconnects, and catches up', async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 950 } });
    page.setDefaultTimeout(15_000);
    await page.goto(`http://127.0.0.1:${port}/?view=table`);
    await page.locator('.status-live').waitFor();
    await server.close();
    const banner = page.getByRole('alert').filter({ hasText: 'Connection to the server lost' });
    await banner.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-dropped.png'), fullPage: true });
    server = await startServer(file, { PORT: port });
    // Recorded while the page is reconnecting or just after: it must appear either way.
    await ok(
      server,
      'mutation { joinGroup(input: { groupId: "west", organizationId: "acme", position: CORE }) { id } }',
    );
    await page.locator('.status-live').waitFor();
    await banner.waitFor({ state: 'detached' });
    await page.locator('table[data-group="west"] tr[data-organization="acme"]').waitFor();
    await page.close();
  });
});

describe('serving the page in production', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    const hash = createHash('sha256').update('prod-key-1').digest('hex');
    server = await startServer(join(directory.path, 'events.db'), {
      NODE_ENV: 'production',
      API_KEYS: `ops:viewer:${hash}`,
    });
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  it('serves the dashboard at / but no GraphiQL, as before', async () => {
    const origin = new URL(server.url).origin;
    // Every body is read, so that no answer is left in flight when the server stops.
    const get = async (path: string) => {
      const response = await fetch(`${origin}${path}`);
      return { status: response.status, text: await response.text() };
    };
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="app">');
    expect((await get('/assets/app.js')).status).toBe(200);
    expect((await get('/graphiql')).status).toBe(404);
    expect((await get('/graphiql/assets/graphiql.js')).status).toBe(404);
  });
});
