// The detection backends live in the store's one dialect module (store/sql/dialect.ts), one table per
// engine; the compiler reads them through these names.

import { ident, type Sql } from '../../store/index.js';

export { clickhouseDetect, DETECT_DIALECTS, duckdbDetect, raw, type DetectDialect } from '../../store/index.js';

/** A column of the current row. */
export function col(name: string): Sql {
  return ident(name);
}
