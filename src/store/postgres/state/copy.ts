// The tables of a copy in PostgreSQL (copy-tables.ts), and what PostgreSQL derives from one of them:
// alert_history_seq, the last history number per alert, is raised to the copied history's highest, so
// the next entry of a copied alert gets the number after it.

import { sql } from '../../sql/index.js';
import { tableCopy, type TableCopy } from '../../copy-tables.js';
import { msCol, sortedUnique, type PgDb } from './db.js';

export function postgresTableCopy(db: PgDb): TableCopy {
  return tableCopy(db, msCol, async (tx, table, rows) => {
    if (table !== 'alert_history') return;
    const ids = sortedUnique(rows.map((r) => String(r['alert_id'])));
    await tx.write(sql`INSERT INTO alert_history_seq (alert_id, last_seq)
      SELECT alert_id, max(seq) FROM alert_history WHERE alert_id = ANY(${ids}::text[]) GROUP BY alert_id
      ON CONFLICT (alert_id) DO UPDATE SET last_seq = GREATEST(alert_history_seq.last_seq, excluded.last_seq)`);
  });
}
