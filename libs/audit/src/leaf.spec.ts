import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import {
  AuditLeaf,
  canonicalJson,
  canonicalLeafText,
  eventLeafText,
  isoTime,
  leafHash,
  leafOf,
} from './leaf';

const leaf = (overrides: Partial<AuditLeaf>): AuditLeaf => ({
  id: 'e1',
  streamId: 'organization-acme',
  revision: 0,
  type: 'OrganizationRegistered',
  schemaVersion: 1,
  effectiveAt: '2025-03-01T00:00:00.000Z',
  recordedAt: '2025-03-04T10:11:12.345Z',
  actor: 'alice',
  commandId: 'c1',
  data: { organizationId: 'acme', name: 'Acme' },
  ...overrides,
});

describe('the canonical leaf', () => {
  it.each([
    ['a plain leaf', leaf({})],
    ['null actor and commandId', leaf({ actor: null, commandId: null })],
    [
      'unsorted, nested and unicode data',
      leaf({
        data: {
          zeta: [3, { b: 'ü\u2028"\\', a: null }],
          Alpha: 1e21,
          alpha: -0.000001,
          '€': true,
          '\u{1F600}': 'emoji',
          é: 'e',
        },
      }),
    ],
    [
      'control characters in ids',
      leaf({ id: 'tab\there', streamId: 'line\nbreak', type: '\u0001' }),
    ],
    ['large revisions', leaf({ revision: 2 ** 40, schemaVersion: 2 })],
  ])('is exactly what canonicalize (RFC 8785) writes: %s', (_, value) => {
    expect(canonicalLeafText(value)).toBe(canonicalize(value));
  });

  it('hashes SHA-256 of 0x00 and its UTF-8 bytes', () => {
    const value = leaf({ data: { name: 'Zürich' } });
    const expected = createHash('sha256')
      .update(Buffer.from([0]))
      .update(Buffer.from(canonicalize(value) as string, 'utf8'))
      .digest('hex');
    expect(leafHash(value).toString('hex')).toBe(expected);
  });
});

describe('canonicalJson', () => {
  it('writes parsed JSON exactly as canonicalize does (property over random JSON)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = JSON.parse(JSON.stringify(value)) as unknown;
        expect(canonicalJson(parsed)).toBe(canonicalize(parsed));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes any string and name as canonicalize does: lone surrogates, escapes (property)', () => {
    // Characters JSON writes as they are, as escapes, and lone or paired surrogates.
    const unit = fc.oneof(
      fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '"', '\\', '\u0000', '\u001f'),
      fc.constantFrom('a', 'é', '\u2028', '\u007f', '😀', '/'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: unit }), fc.string({ unit }), (value, text) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
        expect(canonicalJson(text)).toBe(canonicalize(text));
        const named = { [text]: text, [`${text}\u0000"\\`]: [text] };
        expect(canonicalJson(named)).toBe(canonicalize(named));
      }),
      { numRuns: 2_000, seed: 8259 },
    );
  });

  it.each([
    ['integer-like names', '{"b":1,"10":2,"9":3,"a":{"2":null,"x":[{"z":1,"y":2}]}}'],
    ['a __proto__ member', '{"b":1,"__proto__":{"d":1,"c":2},"a":3}'],
    ['sorted members kept as they are', '{"a":[1,{"a":1,"b":2}],"b":"ü"}'],
    ['unsorted members deep in arrays', '[[{"b":1,"a":[{"d":1,"c":2}]}],"x",-0,1e21]'],
    [
      'names that sort by code unit, not by locale',
      '{"é":1,"z":2,"Z":3,"\\u00e9":4,"😀":5,"\\ufb33":6}',
    ],
  ])('writes parsed JSON exactly as canonicalize does: %s', (_, text) => {
    const parsed = JSON.parse(text) as unknown;
    expect(canonicalJson(parsed)).toBe(canonicalize(parsed));
  });

  it('writes random event leaves as the leaf object would be (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.string({ unit: 'binary' }),
          streamId: fc.string({ unit: 'binary' }),
          revision: fc.nat(),
          type: fc.string({ unit: 'binary' }),
          data: fc.dictionary(
            fc.string({ unit: 'binary' }),
            fc.jsonValue({ stringUnit: 'binary' }),
          ),
          effectiveAt: fc.date({ noInvalidDate: true }),
          recordedAt: fc.date({ noInvalidDate: true }),
          actor: fc.option(fc.string({ unit: 'binary' }), { nil: null }),
          commandId: fc.string({ unit: 'binary' }),
          schemaVersion: fc.integer({ min: 1, max: 3 }),
        }),
        ({ actor, commandId, data, ...rest }) => {
          const event = {
            ...rest,
            position: '1',
            data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
            metadata: {
              actor,
              commandId,
              correlationId: commandId,
              causationId: commandId,
              commandDigest: 'd',
            },
          };
          expect(eventLeafText(event)).toBe(canonicalize(leafOf(event)));
        },
      ),
      { numRuns: 1_000, seed: 8785 },
    );
  });

  it('writes times as toISOString does, in order and out of order (property)', () => {
    const times = fc.array(
      fc.oneof(
        fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
        fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3 * 86_400_000 }),
        fc.integer({ min: -8.64e15, max: 8.64e15 }),
      ),
      { maxLength: 50 },
    );
    fc.assert(
      fc.property(times, (list) => {
        for (const time of list) expect(isoTime(new Date(time))).toBe(new Date(time).toISOString());
      }),
      { numRuns: 500, seed: 3339 },
    );
  });

  it('leaves anything else to canonicalize', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe(canonicalize({ at: new Date(0) }));
    expect(canonicalJson([1, { b: new Date(0), a: 2 }])).toBe(
      canonicalize([1, { b: new Date(0), a: 2 }]),
    );
    expect(() => canonicalJson({ n: NaN })).toThrow();
  });

  it('writes an event leaf as the leaf object would be', () => {
    const event = {
      id: 'e1',
      streamId: 's',
      revision: 3,
      position: '9',
      type: 'T',
      data: { b: [1, 'ü'], a: null },
      effectiveAt: new Date(1),
      recordedAt: new Date(2),
      metadata: {
        actor: null,
        commandId: 'c',
        correlationId: 'c',
        causationId: 'c',
        commandDigest: 'd',
      },
      schemaVersion: 1,
    };
    expect(eventLeafText(event)).toBe(canonicalize(leafOf(event)));
  });
});
