// How a cell value is written for people: times as "YYYY-MM-DD HH:MM:SS" UTC, days and hours shortened,
// numbers as they are, nothing as an empty string. Escaping is the renderer's job (HTML, CSV).

import type { Row } from '../../store/index.js';
import type { ColumnKind } from '../types.js';

export function displayValue(value: Row[string] | undefined, kind: ColumnKind = 'text'): string {
  if (value === null || value === undefined) return '';
  if (kind === 'time' || kind === 'day' || kind === 'hour') {
    const t = typeof value === 'number' ? value : Date.parse(String(value));
    if (!Number.isFinite(t)) return String(value);
    const iso = new Date(t).toISOString();
    if (kind === 'day') return iso.slice(0, 10);
    if (kind === 'hour') return `${iso.slice(0, 13).replace('T', ' ')}:00`;
    return iso.slice(0, 19).replace('T', ' ');
  }
  return String(value);
}
