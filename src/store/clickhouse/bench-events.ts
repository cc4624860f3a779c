// For `npm run bench -- detect --engine=clickhouse`: the bench's synthetic events (generated inside
// DuckDB, duckdb/bench-events.ts) copied into a ClickHouse store's events_rows. DuckDB writes each row
// as one line of TabSeparated text in SQL (its threads do the formatting; the store's DuckDB file may
// not write files, so no COPY TO), and the lines of up to a million rows stream into one INSERT (one
// part a million rows, as 18.16 writes a block): Node only hands strings on. Building a JavaScript
// object per row and sending JSONEachRow cost ~80 s a million rows on this machine; this, a few seconds.

import { AppError } from '../../core/index.js';
import { DuckDbStore } from '../duckdb/store.js';
import { EVENT_COLUMNS, type EventColumn } from '../events-columns.js';
import { raw, sql, type Sql } from '../sql/index.js';
import type { Store } from '../types.js';
import { INSERT_COLUMNS } from './convert.js';
import { ClickHouseStore } from './store.js';

const PAGE = 100_000;
const PER_INSERT = 1_000_000;

/** A column as DuckDB SQL giving its TabSeparated field (the escapes convert.ts's tsvText writes, \N for NULL). */
function field(c: EventColumn, dateTime64: boolean): string {
  const name = c.name;
  const orNull = (e: string) => (c.nullable ? `coalesce(${e}, '\\N')` : `coalesce(${e}, ${c.type === 'text' || c.type === 'json' ? "''" : "'0'"})`);
  switch (c.type) {
    case 'text':
    case 'json':
      return orNull(`replace(replace(replace(replace(CAST(${name} AS VARCHAR), '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r')`);
    case 'timestamp':
      // DateTime64(3) takes the text form; DateTime (18.16) takes epoch seconds, as ingest writes them.
      return dateTime64 ? `strftime(${name}, '%Y-%m-%d %H:%M:%S.%g')` : `CAST(epoch_ms(${name}) // 1000 AS VARCHAR)`;
    default:
      return orNull(`CAST(${name} AS VARCHAR)`);
  }
}

/** Copies the DuckDB store's events ingested after `ingestedAfter` (ms) into the ClickHouse store; returns how many. */
export async function copyBenchEvents(from: Store, to: Store, ingestedAfter = -1): Promise<number> {
  if (!(from instanceof DuckDbStore) || !(to instanceof ClickHouseStore)) throw new AppError('bench_store', 'copyBenchEvents copies from a DuckDB store into a ClickHouse store.');
  const fields = EVENT_COLUMNS.map((c) => field(c, to.features.dateTime64));
  const line: Sql = raw(`${[...fields, 'CAST(epoch_ms(ingested_at) AS VARCHAR)'].join(" || chr(9) || ")} || chr(10)`);
  const where = sql`ingested_at > make_timestamp(CAST(${Math.trunc(ingestedAfter)} AS BIGINT) * 1000)`;
  // Pages by event time: the generated rows lie in creation_time order, so DuckDB's zone maps skip
  // the other row groups (a page by rowid range cost more the bigger the table: 10M rows copied at a
  // quarter of the rate of 1M).
  const [range] = await from.query(sql`SELECT epoch_ms(min(creation_time)) AS lo, epoch_ms(max(creation_time)) AS hi, count(*) AS n FROM events WHERE ${where}`);
  const n = Number(range?.['n'] ?? 0);
  if (n === 0) return 0;
  const [lo, hi] = [Number(range!['lo']), Number(range!['hi']) + 1];
  const step = Math.max(1, Math.ceil(((hi - lo) * PAGE) / n));
  const ts = (ms: number) => sql`make_timestamp(CAST(${ms} AS BIGINT) * 1000)`;
  const page = async (a: number): Promise<string> =>
    (await from.query(sql`SELECT ${line} AS l FROM events WHERE ${where} AND creation_time >= ${ts(a)} AND creation_time < ${ts(Math.min(hi, a + step))}`)).map((r) => String(r['l'])).join('');
  const pagesPerInsert = Math.max(1, Math.floor(PER_INSERT / PAGE));
  for (let start = lo; start < hi; start += step * pagesPerInsert) {
    const end = Math.min(hi, start + step * pagesPerInsert);
    // The first page is ready before the INSERT opens, and DuckDB makes the next page while one is sent:
    // the request never waits long on DuckDB (a server may drop a connection that stays silent).
    async function* pages(): AsyncGenerator<string> {
      let current = await page(start);
      for (let a = start; a < end; a += step) {
        const next = a + step < end ? page(a + step) : null;
        if (current) yield current;
        if (!next) break;
        current = await next;
      }
    }
    await insertChunk(to, pages, PER_INSERT);
  }
  return n;
}

const stored = async (to: ClickHouseStore) => Number((await to.query(sql`SELECT count() AS n FROM events_rows`))[0]?.['n'] ?? 0);

/**
 * One INSERT of at most a million rows (one block: stored whole or not at all), sent again when the
 * connection failed before the server stored it (a kept-alive socket the server had closed meanwhile).
 */
async function insertChunk(to: ClickHouseStore, pages: () => AsyncGenerator<string>, rows: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = await stored(to);
    const text = pages();
    // The first page, before the request opens.
    const first = await text.next();
    async function* body(): AsyncGenerator<string> {
      if (!first.done) yield first.value;
      yield* text;
    }
    try {
      await to.insertTabSeparated('events_rows', INSERT_COLUMNS, body());
      return;
    } catch (err) {
      const after = await stored(to);
      if (after > before && after <= before + rows) return; // the server stored the block before the connection broke
      if (after !== before || attempt >= 3) throw err;
    }
  }
}
