/**
 * The view's state lives in the URL's query string, so a link reproduces the view, time
 * included. Times are ISO strings; an absent time means "now".
 */
export interface ViewState {
  readonly asOf: string | null;
  readonly knownAt: string | null;
  /** The earlier time of a comparison; null when not comparing. */
  readonly compareFrom: string | null;
  readonly view: 'picture' | 'table';
  /** `organization:<id>`, `group:<id>` or `partnership:<id>`. */
  readonly selected: string | null;
  readonly tab: 'network' | 'record' | 'log';
  /** The one group the view is focused on; null for the whole network. */
  readonly group: string | null;
  /** Most member dots drawn at once (a larger network is shown as an overview); null: the default. */
  readonly dots: number | null;
}

export const DEFAULT_STATE: ViewState = {
  asOf: null,
  knownAt: null,
  compareFrom: null,
  view: 'picture',
  selected: null,
  tab: 'network',
  group: null,
  dots: null,
};

const isTime = (value: string | null): value is string =>
  value !== null && !Number.isNaN(Date.parse(value));

export function parseState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  const tab = params.get('tab');
  const selected = params.get('selected');
  return {
    asOf: isTime(params.get('asOf')) ? params.get('asOf') : null,
    knownAt: isTime(params.get('knownAt')) ? params.get('knownAt') : null,
    compareFrom: isTime(params.get('compareFrom')) ? params.get('compareFrom') : null,
    view: view === 'table' ? 'table' : 'picture',
    selected:
      selected !== null && /^(organization|group|partnership):/.test(selected) ? selected : null,
    tab: tab === 'record' || tab === 'log' ? tab : 'network',
    group: params.get('group') || null,
    dots: dotsOf(params.get('dots')),
  };
}

export function formatState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.asOf !== null) params.set('asOf', state.asOf);
  if (state.knownAt !== null) params.set('knownAt', state.knownAt);
  if (state.compareFrom !== null) params.set('compareFrom', state.compareFrom);
  if (state.view !== 'picture') params.set('view', state.view);
  if (state.selected !== null) params.set('selected', state.selected);
  if (state.tab !== 'network') params.set('tab', state.tab);
  if (state.group !== null) params.set('group', state.group);
  if (state.dots !== null) params.set('dots', String(state.dots));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** A whole number from 1 to 100,000, or null (the default). */
function dotsOf(text: string | null): number | null {
  if (text === null || !/^\d{1,6}$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && value <= 100_000 ? value : null;
}
