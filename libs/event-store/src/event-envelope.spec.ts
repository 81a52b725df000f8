import { v5 as uuidv5 } from 'uuid';
import { eventIdOf } from './event-envelope';

const NAMESPACE = '6f1c1a52-3b0e-4c39-9a57-1f0b8f3e2d71';

describe('eventIdOf', () => {
  it('is the UUIDv5 of "<commandId>/<index>" in the event namespace, as the uuid library derives it', () => {
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

  it('gives the same id to the same command again, after a longer name was derived', () => {
    const first = eventIdOf('join-7', 0);
    eventIdOf('z'.repeat(3_000), 0);
    expect(eventIdOf('join-7', 0)).toBe(first);
    expect(eventIdOf('join-7', 1)).not.toBe(first);
  });
});
