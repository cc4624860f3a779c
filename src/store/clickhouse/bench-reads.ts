// For `npm run bench -- collect`: what the FINAL view (`events`, each record once before merges) costs
// against reading the rows as stored (`events_rows`), on reads shaped like the rules' and reports'.

import { AppError } from '../../core/index.js';
import { raw, sql, type Sql } from '../sql/index.js';
import type { Store } from '../types.js';

export interface FinalCost {
  read: string;
  /** Median of `runs`, ms. */
  finalMs: number;
  rowsMs: number;
}

export async function measureFinalCost(store: Store, now: number, runs = 5): Promise<FinalCost[]> {
  if (store.kind !== 'clickhouse') throw new AppError('store_engine', 'measureFinalCost needs a ClickHouse store.');
  const since = (ms: number) => sql`toDateTime(${Math.floor((now - ms) / 1000)}, 'UTC')`;
  const reads: [string, (table: Sql) => Sql][] = [
    ['count of all records', (t) => sql`SELECT count() AS n FROM ${t}`],
    ['failed sign-ins per user over a day', (t) => sql`SELECT user_id, count() AS n FROM ${t} WHERE operation = 'UserLoginFailed' AND creation_time >= ${since(86_400_000)} GROUP BY user_id ORDER BY n DESC LIMIT 10`],
    ['a text search in raw over 2 hours', (t) => sql`SELECT count() AS n FROM ${t} WHERE creation_time >= ${since(7_200_000)} AND position(raw, 'Mozilla') > 0`],
  ];
  const median = async (q: Sql) => {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await store.query(q);
      ms.push(performance.now() - s);
    }
    return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  };
  const out: FinalCost[] = [];
  for (const [read, q] of reads) out.push({ read, finalMs: await median(q(raw('events'))), rowsMs: await median(q(raw('events_rows'))) });
  return out;
}
