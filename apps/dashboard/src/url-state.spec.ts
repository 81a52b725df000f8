import { DEFAULT_STATE, formatState, parseState } from './url-state';

describe('the view in the URL', () => {
  it('round-trips every part of the view, time included', () => {
    const state = {
      asOf: '2026-03-15T00:00:00.000Z',
      knownAt: '2026-04-01T00:00:00.000Z',
      compareFrom: '2026-01-01T00:00:00.000Z',
      view: 'table' as const,
      selected: 'organization:acme',
      tab: 'log' as const,
      group: 'west',
      dots: 300,
    };
    expect(parseState(formatState(state))).toEqual(state);
  });

  it('reads the default view from an empty or garbled query', () => {
    expect(parseState('')).toEqual(DEFAULT_STATE);
    expect(parseState('?asOf=yesterday&view=3d&selected=robot:1&tab=x&dots=-5')).toEqual(
      DEFAULT_STATE,
    );
    expect(formatState(DEFAULT_STATE)).toBe('');
  });
});
