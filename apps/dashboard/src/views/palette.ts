/** Okabe-Ito colours (safe for the common colour-vision deficiencies); meaning is also
 * carried by shape and line style, never by colour alone. */
import { Position } from '../layout/rings';

export const POSITION_COLOUR: Record<Position, string> = {
  CORE: '#0072B2',
  RING: '#009E73',
  FREE_SPACE: '#CC79A7',
};

export const BAND_FILL: Record<Position, string> = {
  CORE: '#dcebf5',
  RING: '#e3f3ee',
  FREE_SPACE: '#f7ebf2',
};

export const POSITION_LABEL: Record<Position, string> = {
  CORE: 'core',
  RING: 'ring',
  FREE_SPACE: 'free space',
};

export const TERM_STYLE = {
  RUNNING: { colour: '#4d4d4d', dash: '', width: 1.6, label: 'running' },
  ENDING_SOON: { colour: '#E69F00', dash: '7 4', width: 2.6, label: 'ending within 30 days' },
  OVERDUE: { colour: '#D55E00', dash: '2 3', width: 3, label: 'overdue (past its intended end)' },
  ENDED: { colour: '#999999', dash: '1 5', width: 1.2, label: 'ended' },
} as const;

export const SAME_ORGANISATION = { colour: '#7f7f7f', dash: '1 4', width: 1.2 };
