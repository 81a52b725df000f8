import {
  createHash,
  generateKeyPairSync,
  verify as verifySignature,
  createPublicKey,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/*
 * The audit fields over real HTTP, checked against an independent, minimal reading of
 * RFC 9162 §2.1 written here (plain recursion over all leaves; proofs checked by rebuilding
 * the roots recursively), sharing no code with libs/audit.
 */
const sha = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const ONE = Buffer.from([1]);
const split = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
const hex = (text: string): Buffer => Buffer.from(text, 'hex');

/** The leaf hash of an event as Query.events serves it. */
function leafHashOfServed(event: Record<string, any>): Buffer {
  const leaf = {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    schemaVersion: event.schemaVersion,
    effectiveAt: new Date(event.effectiveAt).toISOString(),
    recordedAt: new Date(event.recordedAt).toISOString(),
    actor: event.actor ?? null,
    commandId: event.commandId ?? null,
    data: event.data,
  };
  return sha(Buffer.from([0]), Buffer.from(canonicalize(leaf) as string, 'utf8'));
}

function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return sha(ONE, mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function rootFromPath(
  m: number,
  n: number,
  leaf: Buffer,
  path: readonly Buffer[],
): Buffer | undefined {
  if (n === 1) return path.length === 0 ? leaf : undefined;
  if (path.length === 0) return undefined;
  const k = split(n);
  const sibling = path[path.length - 1];
  const rest = path.slice(0, -1);
  if (m < k) {
    const left = rootFromPath(m, k, leaf, rest);
    return left && sha(ONE, left, sibling);
  }
  const right = rootFromPath(m - k, n - k, leaf, rest);
  return right && sha(ONE, sibling, right);
}

function consistent(
  m: number,
  n: number,
  first: Buffer,
  second: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && first.equals(second);
  const roots = rootsFromProof(m, n, proof, true, first);
  return roots !== undefined && roots[0].equals(first) && roots[1].equals(second);
}

function rootsFromProof(
  m: number,
  n: number,
  proof: readonly Buffer[],
  complete: boolean,
  first: Buffer,
): [Buffer, Buffer] | undefined {
  if (m === n) {
    if (complete) return proof.length === 0 ? [first, first] : undefined;
    return proof.length === 1 ? [proof[0], proof[0]] : undefined;
  }
  if (proof.length === 0) return undefined;
  const k = split(n);
  const outer = proof[proof.length - 1];
  const rest = proof.slice(0, -1);
  if (m <= k) {
    const inner = rootsFromProof(m, k, rest, complete, first);
    return inner && [inner[0], sha(ONE, inner[1], outer)];
  }
  const inner = rootsFromProof(m - k, n - k, rest, false, first);
  return inner && [sha(ONE, outer, inner[0]), sha(ONE, outer, inner[1])];
}

const KEYS = { viewer: 'viewer-key-a1', auditor: 'auditor-key-b2', manager: 'manager-key-c3' };
const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');
const API_KEYS = [
  `vera:viewer:${hashOf(KEYS.viewer)}`,
  `aud:auditor:${hashOf(KEYS.auditor)}`,
  `max:manager:${hashOf(KEYS.manager)}`,
].join(',');

const EVENT_FIELDS =
  'id streamId revision position type effectiveAt recordedAt actor commandId data schemaVersion';

describe('the audit fields of the GraphQL API', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const env = { API_KEYS, AUDIT_SIGNING_KEY: pem };
  let server: TestServer;

  async function as(token: string, query: string, variables?: Record<string, unknown>) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: any[] };
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
    return body;
  }
  async function ok(query: string, variables?: Record<string, unknown>): Promise<any> {
    const body = await as(KEYS.auditor, query, variables);
    expect(body.errors ?? []).toEqual([]);
    return body.data;
  }
  async function mutate(name: string, type: string, input: Record<string, unknown>) {
    const body = await as(
      KEYS.manager,
      `mutation ($input: ${type}!) { ${name}(input: $input) { id } }`,
      {
        input,
      },
    );
    expect(body.errors ?? []).toEqual([]);
  }
  async function servedEvents(): Promise<Record<string, any>[]> {
    const data = await ok(`{ events(first: 500) { edges { node { ${EVENT_FIELDS} } } } }`);
    return data.events.edges.map((edge: any) => edge.node);
  }

  beforeAll(async () => {
    server = await startServer(file, env);
    for (const id of ['acme', 'brio', 'cato']) {
      await mutate('registerOrganization', 'RegisterOrganizationInput', { id, name: `Org ${id}` });
    }
    await mutate('foundGroup', 'FoundGroupInput', { id: 'rivers', name: 'Rivers Alliance' });
    for (const id of ['acme', 'brio']) {
      await mutate('joinGroup', 'JoinGroupInput', {
        groupId: 'rivers',
        organizationId: id,
        position: 'CORE',
      });
    }
    await mutate('formPartnership', 'FormPartnershipInput', {
      id: 'p1',
      name: 'Shared data',
      partyIds: ['acme', 'brio'],
      groupId: 'rivers',
      intendedEndAt: '2030-01-01T00:00:00Z',
    });
    await mutate('agreeArrangement', 'AgreeArrangementInput', {
      partnershipId: 'p1',
      arrangementId: 'a1',
      title: 'Monthly sharing',
      terms: 'We share monthly.',
    });
    await mutate('assessCapability', 'AssessCapabilityInput', {
      organizationId: 'cato',
      ambition: 4,
      realized: 2,
    });
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  it('serves schemaVersion and data as stored: ArrangementAgreed at 2 with commitments, the rest at 1', async () => {
    const events = await servedEvents();
    expect(events).toHaveLength(9);
    for (const event of events) {
      expect(event.schemaVersion).toBe(event.type === 'ArrangementAgreed' ? 2 : 1);
    }
    expect(events.find((event) => event.type === 'ArrangementAgreed')?.data.commitments).toEqual(
      [],
    );
  });

  it('digests every prefix of the log with the root an independent verifier computes', async () => {
    const leaves = (await servedEvents()).map(leafHashOfServed);
    for (let size = 0; size <= leaves.length; size++) {
      const { auditDigest } = await ok(
        'query ($size: Int) { auditDigest(treeSize: $size) { treeSize rootHash issuedAt keyId signature } }',
        { size },
      );
      expect(auditDigest.treeSize).toBe(size);
      expect(auditDigest.rootHash).toBe(mth(leaves.slice(0, size)).toString('hex'));
    }
    const { auditDigest } = await ok('{ auditDigest { treeSize rootHash } }');
    expect(auditDigest).toEqual({ treeSize: 9, rootHash: mth(leaves).toString('hex') });
  });

  it('signs digests with the configured Ed25519 key, named by its keyId', async () => {
    const { auditDigest, auditPublicKey } = await ok(
      '{ auditDigest { treeSize rootHash issuedAt keyId signature } auditPublicKey }',
    );
    const publicKey = createPublicKey(auditPublicKey);
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    expect(auditDigest.keyId).toBe(sha(raw).toString('hex').slice(0, 16));
    const signed = Buffer.from(
      canonicalize({
        treeSize: auditDigest.treeSize,
        rootHash: auditDigest.rootHash,
        issuedAt: auditDigest.issuedAt,
      }) as string,
    );
    const signature = Buffer.from(auditDigest.signature, 'base64');
    expect(verifySignature(null, signed, publicKey, signature)).toBe(true);
    // The same signature does not hold for another size: it is bound to the digest.
    const other = Buffer.from(
      canonicalize({
        ...JSON.parse(signed.toString()),
        treeSize: auditDigest.treeSize - 1,
      }) as string,
    );
    expect(verifySignature(null, other, publicKey, signature)).toBe(false);
  });

  it('proves the inclusion of every event in every tree that holds it', async () => {
    const events = await servedEvents();
    const leaves = events.map(leafHashOfServed);
    for (const size of [1, 2, 3, 4, 5, 8, 9]) {
      const root = mth(leaves.slice(0, size));
      for (let index = 0; index < size; index++) {
        const { auditInclusionProof: proof } = await ok(
          'query ($id: ID!, $size: Int) { auditInclusionProof(eventId: $id, treeSize: $size) { eventId leafIndex treeSize leafHash path } }',
          { id: events[index].id, size },
        );
        expect(proof).toMatchObject({
          eventId: events[index].id,
          leafIndex: index,
          treeSize: size,
        });
        expect(proof.leafHash).toBe(leaves[index].toString('hex'));
        const rebuilt = rootFromPath(index, size, leaves[index], proof.path.map(hex));
        expect(rebuilt?.toString('hex')).toBe(root.toString('hex'));
      }
    }
  });

  it('proves every earlier size consistent with every later one', async () => {
    const leaves = (await servedEvents()).map(leafHashOfServed);
    for (let to = 0; to <= leaves.length; to++) {
      for (let from = 0; from <= to; from++) {
        const { auditConsistencyProof } = await ok(
          'query ($from: Int!, $to: Int) { auditConsistencyProof(fromSize: $from, toSize: $to) }',
          { from, to },
        );
        const proof = auditConsistencyProof.map(hex);
        expect(
          consistent(from, to, mth(leaves.slice(0, from)), mth(leaves.slice(0, to)), proof),
        ).toBe(true);
        if (from > 0 && from < to) {
          // Checked against a different earlier root, the same proof fails.
          expect(
            consistent(from, to, sha(Buffer.from('another log')), mth(leaves.slice(0, to)), proof),
          ).toBe(false);
        }
      }
    }
  });

  it.each([
    ['auditDigest(treeSize: 10) { treeSize }', 'treeSize'],
    ['auditDigest(treeSize: -1) { treeSize }', 'treeSize'],
    ['auditConsistencyProof(fromSize: 5, toSize: 3)', 'fromSize'],
    ['auditConsistencyProof(fromSize: 10)', 'fromSize'],
    ['auditConsistencyProof(fromSize: -2)', 'fromSize'],
    ['auditConsistencyProof(fromSize: 1, toSize: 12)', 'toSize'],
    ['auditInclusionProof(eventId: "no-such-event") { leafIndex }', 'eventId'],
    ['auditInclusionProof(eventId: "no such event!") { leafIndex }', 'eventId'],
    ['auditInclusionProof(eventId: "ID", treeSize: 10) { leafIndex }', 'treeSize'],
  ])('refuses %s as BAD_USER_INPUT naming %s', async (field, argument) => {
    const events = await servedEvents();
    const body = await as(
      KEYS.auditor,
      `{ ${field.replace('"ID"', JSON.stringify(events[4].id))} }`,
    );
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: argument });
    // The server goes on serving.
    expect((await ok('{ auditDigest { treeSize } }')).auditDigest.treeSize).toBe(9);
  });

  it('refuses a treeSize that ends before the event it asks to include', async () => {
    const events = await servedEvents();
    const body = await as(
      KEYS.auditor,
      `{ auditInclusionProof(eventId: "${events[6].id}", treeSize: 6) { leafIndex } }`,
    );
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'treeSize' });
  });

  it('is for auditors and managers, not viewers', async () => {
    const query = '{ auditDigest { treeSize } auditPublicKey }';
    expect((await as(KEYS.viewer, query)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await as(KEYS.auditor, query)).errors).toBeUndefined();
    expect((await as(KEYS.manager, query)).errors).toBeUndefined();
  });

  it('keeps its tree across restarts in a checkpoint, and ignores a damaged one', async () => {
    const before = (await ok('{ auditDigest { treeSize rootHash } }')).auditDigest;
    await server.close();
    const checkpoint = `${file}.audit-tree`;
    expect(existsSync(checkpoint)).toBe(true);
    server = await startServer(file, env);
    expect(server.output()).toMatch(/audit tree: 0 leaves hashed/);
    expect((await ok('{ auditDigest { treeSize rootHash } }')).auditDigest).toEqual(before);
    await server.close();

    const bytes = readFileSync(checkpoint);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(checkpoint, bytes);
    server = await startServer(file, env);
    expect(server.output()).toMatch(/audit tree: 9 leaves hashed/);
    expect((await ok('{ auditDigest { treeSize rootHash } }')).auditDigest).toEqual(before);
  });
});

describe('an audit signing key that cannot be used', () => {
  it('stops the server at start, saying why', async () => {
    const directory = temporaryDirectory();
    try {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      await expect(
        startServer(join(directory.path, 'events.db'), { AUDIT_SIGNING_KEY: pem }),
      ).rejects.toThrow(/AUDIT_SIGNING_KEY is an ec key; digests are signed with Ed25519/);
    } finally {
      directory.remove();
    }
  });
});
