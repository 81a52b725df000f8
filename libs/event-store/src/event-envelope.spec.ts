import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { eventIdOf } from './event-envelope';

const NAMESPACE = '6f1c1a52-3b0e-4c39-9a57-1f0b8f3e2d71';

describe('eventIdOf', () => {
  it('is the UUIDv5 of "<commandId>/<index>" in the event namespace, as the uuid library derives it, for a commandId that is not a UUIDv7', () => {
    const commandIds = [
      ...Array.from({ length: 2_000 }, (_, index) => `generated-42-${index * 7919}`),
      '',
      'c',
      'ünïcödé-команда-命令-🙂',
      'x'.repeat(1_006),
      'x'.repeat(1_007),
      'y'.repeat(5_000),
    ];
    for (const commandId of commandIds) {
      for (const index of [0, 1, 12]) {
        expect(eventIdOf(commandId, index)).toBe(uuidv5(`${commandId}/${index}`, NAMESPACE));
      }
    }
  });

  it("begins with a UUIDv7 commandId's time, and is its UUIDv5 after that, as version 8", () => {
    const commandIds = Array.from({ length: 200 }, (_, index) =>
      uuidv7({ msecs: 1_780_000_000_000 + index * 3_600_000 }),
    );
    const ids = commandIds.flatMap((commandId) => {
      const derived = [0, 1, 12].map((index) => eventIdOf(commandId, index));
      derived.forEach((id, position) => {
        const v5 = uuidv5(`${commandId}/${[0, 1, 12][position]}`, NAMESPACE);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(id.slice(0, 13)).toBe(commandId.slice(0, 13));
        expect(id.slice(15)).toBe(v5.slice(15));
      });
      return derived;
    });
    // Commands an hour apart: their events' ids sort in the order the commands were made.
    const firsts = commandIds.map((commandId) => eventIdOf(commandId, 0));
    expect([...firsts].sort()).toEqual(firsts);
    expect(new Set(ids).size).toBe(ids.length);
    // Anything else that merely looks like one stays version 5: upper case, another version.
    for (const other of [commandIds[0]!.toUpperCase(), uuidv5('x', NAMESPACE)]) {
      expect(eventIdOf(other, 0)).toBe(uuidv5(`${other}/0`, NAMESPACE));
    }
  });

  it('gives the same id to the same command again, after a longer name was derived', () => {
    const first = eventIdOf('join-7', 0);
    eventIdOf('z'.repeat(3_000), 0);
    expect(eventIdOf('join-7', 0)).toBe(first);
    expect(eventIdOf('join-7', 1)).not.toBe(first);
  });
});
