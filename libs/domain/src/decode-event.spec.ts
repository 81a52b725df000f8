import { UnknownEventTypeError, decodeEvent } from './decode-event';

describe('decodeEvent', () => {
  const effectiveAt = new Date('2026-01-01T00:00:00.000Z');
  const v1 = { partnershipId: 'p', arrangementId: 'a', title: 't', terms: 'x', validUntil: null };

  /** A stored event that counts how often its data is read. */
  function stored(type: string, schemaVersion: number, data: Record<string, unknown>) {
    const reads = { count: 0 };
    const event = {
      type,
      schemaVersion,
      effectiveAt,
      get data() {
        reads.count++;
        return data;
      },
    };
    return { event, reads };
  }

  it('reads and upcasts the data only when it is read, once', () => {
    const { event, reads } = stored('ArrangementAgreed', 1, v1);
    const decoded = decodeEvent(event);
    expect(decoded.type).toBe('ArrangementAgreed');
    expect(decoded.effectiveAt).toBe(effectiveAt);
    expect(reads.count).toBe(0);
    expect(decoded.data).toEqual({ ...v1, commitments: [] });
    expect(decoded.data).toBe(decoded.data);
    expect(reads.count).toBe(1);
  });

  it('looks like the plain event to a spread, JSON and a deep comparison', () => {
    const { event } = stored('ArrangementAgreed', 2, { ...v1, commitments: [] });
    const decoded = decodeEvent(event);
    const plain = { type: 'ArrangementAgreed', data: { ...v1, commitments: [] }, effectiveAt };
    expect(Object.keys(decoded)).toEqual(['type', 'data', 'effectiveAt']);
    expect({ ...decoded }).toStrictEqual(plain);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(plain));
    expect(decoded).toEqual(plain);
  });

  it('fails at once on a type it does not know or a version it cannot upcast, data unread', () => {
    const unknown = stored('SomethingElse', 1, {});
    expect(() => decodeEvent(unknown.event)).toThrow(UnknownEventTypeError);
    const tooOld = stored('ArrangementAgreed', 0, v1);
    expect(() => decodeEvent(tooOld.event)).toThrow(RangeError);
    expect(unknown.reads.count + tooOld.reads.count).toBe(0);
  });
});
