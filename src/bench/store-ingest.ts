// Store ingest micro-benchmark: N synthetic records committed in blob-sized batches through
// Store.commitBlobs into a fresh DuckDB file, with a share of re-delivered duplicates. Reports
// records/s and peak RSS. `npm run bench -- store-ingest [--records=N] [--blob=N] [--blobs-per-commit=N] [--transaction=ROWS] [--threads=N]`
// (--transaction streams the blobs through one IngestSession, as the collector does), or call
// benchStoreIngest() from another bench.

import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRow } from '../records/index.js';
import { benchFileBytes, openDuckDbStore, type BlobCommit, type CommitResult, type Store } from '../store/index.js';

export interface StoreIngestOptions {
  /** Records to commit (default 1,000,000). */
  records?: number;
  /** Records per blob (default 2,000). */
  blobSize?: number;
  /** Blobs per commitBlobs call (default 1), or per IngestSession.add with `transactionRows`. */
  blobsPerCommit?: number;
  /** Stream the blobs through one IngestSession (as the collector does), committing every this many rows. */
  transactionRows?: number;
  /** Share of each blob that re-delivers records already sent (default 0.02). */
  duplicateShare?: number;
  /** Store file (default: a new temp folder, removed afterwards). */
  path?: string;
  /** Open your own store instead (the bench does not close it). */
  open?: () => Promise<Store>;
  memoryLimit?: string;
  /** DuckDB worker threads (default: DuckDB's, one per core). */
  threads?: number;
  onProgress?: (done: number, recordsPerSecond: number) => void;
}

export interface StoreIngestResult {
  records: number;
  inserted: number;
  duplicates: number;
  /** Wall time of the whole run, synthetic record generation included. */
  seconds: number;
  /** Time spent inside commitBlobs only. */
  storeSeconds: number;
  /** Records per second of store time (generation excluded). */
  recordsPerSecond: number;
  peakRssMb: number;
  fileMb: number | null;
  /** CPU time of the whole process (all threads) inside commitBlobs, per record, in µs. */
  cpuMicrosPerRecord: number;
}

const T0 = Date.UTC(2026, 0, 1);

/** A record shaped like a real one: ~1 KB of raw JSON, a handful of filled family columns. */
export function syntheticRow(n: number, tenant: string): EventRow {
  const id = `${hex(n, 8)}-${hex(n * 7, 4)}-4${hex(n * 13, 3)}-a${hex(n * 17, 3)}-${hex(n * 31, 12)}`;
  const creationTime = T0 + n * 50 + ((n * 7919) % 3_600_000);
  const user = `user${n % 997}@contoso.onmicrosoft.com`;
  const op = OPS[n % OPS.length]!;
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const rawObj = {
    CreationTime: new Date(creationTime).toISOString().slice(0, 19),
    Id: id,
    Operation: op,
    OrganizationId: tenant,
    RecordType: 15,
    ResultStatus: 'Success',
    UserKey: `1003200${n % 997}`,
    UserType: 0,
    Version: 1,
    Workload: 'AzureActiveDirectory',
    ClientIP: ip,
    ObjectId: `Unknown-${n % 31}`,
    UserId: user,
    AzureActiveDirectoryEventType: 1,
    ExtendedProperties: [
      { Name: 'UserAgent', Value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' },
      { Name: 'RequestType', Value: 'OAuth2:Token' },
      { Name: 'ResultStatusDetail', Value: 'Success' },
    ],
    ModifiedProperties: [],
    Actor: [{ ID: user, Type: 5 }, { ID: `${hex(n % 997, 8)}-0000-0000-0000-000000000000`, Type: 0 }],
    ActorContextId: tenant,
    ActorIpAddress: ip,
    InterSystemsId: `${hex(n * 3, 8)}-1111-2222-3333-444455556666`,
    IntraSystemId: `${hex(n * 5, 8)}-7777-8888-9999-aaaabbbbcccc`,
    SupportTicketId: '',
    Target: [{ ID: 'Unknown', Type: 0 }],
    TargetContextId: tenant,
    ApplicationId: '00000002-0000-0ff1-ce00-000000000000',
    DeviceProperties: [{ Name: 'OS', Value: 'Windows 10' }, { Name: 'BrowserType', Value: 'Chrome' }],
    ErrorNumber: '0',
  };
  return {
    id,
    tenantId: tenant,
    creationTime,
    recordType: 15,
    recordTypeName: 'AzureActiveDirectoryStsLogon',
    operation: op,
    workload: 'AzureActiveDirectory',
    organizationId: tenant,
    userId: user,
    userKey: rawObj.UserKey,
    userType: 0,
    userTypeName: 'Regular',
    clientIp: ip,
    clientIpRaw: ip,
    resultStatus: 'Success',
    objectId: rawObj.ObjectId,
    applicationId: rawObj.ApplicationId,
    errorNumber: '0',
    logonError: null,
    userAgent: rawObj.ExtendedProperties[0]!.Value,
    requestType: 'OAuth2:Token',
    siteUrl: null,
    fileName: null,
    fileExtension: null,
    mailboxOwnerUpn: null,
    mailboxGuid: null,
    logonType: null,
    parameters: {},
    extendedProperties: { UserAgent: rawObj.ExtendedProperties[0]!.Value, RequestType: 'OAuth2:Token', ResultStatusDetail: 'Success' },
    operationProperties: {},
    deviceProperties: { OS: 'Windows 10', BrowserType: 'Chrome' },
    modifiedProperties: {},
    country: n % 5 === 0 ? 'NL' : 'US',
    city: null,
    latitude: null,
    longitude: null,
    asn: 64500 + (n % 20),
    asOrg: 'Example Networks',
    raw: JSON.stringify(rawObj),
  };
}

const OPS = ['UserLoggedIn', 'UserLoginFailed', 'FileAccessed', 'MailItemsAccessed', 'Set-Mailbox', 'FileDownloaded'];

function hex(n: number, width: number): string {
  return (Math.abs(Math.trunc(n)) % 16 ** Math.min(width, 12)).toString(16).padStart(width, '0').slice(-width);
}

/** Peak resident set size of this process in MB (VmHWM on Linux, else the current RSS). */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux: fall through
  }
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}

export async function benchStoreIngest(opts: StoreIngestOptions = {}): Promise<StoreIngestResult> {
  const total = opts.records ?? 1_000_000;
  const blobSize = opts.blobSize ?? 2_000;
  const perCommit = opts.blobsPerCommit ?? 1;
  const dupShare = opts.duplicateShare ?? 0.02;
  const dir = opts.path || opts.open ? null : await mkdtemp(join(tmpdir(), 'auditwatch-bench-'));
  const path = opts.path ?? (dir ? join(dir, 'bench.duckdb') : '');
  const store = opts.open
    ? await opts.open()
    : await openDuckDbStore({ path, ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}), ...(opts.threads ? { threads: opts.threads } : {}) });
  try {
    await store.migrate();
    const session = opts.transactionRows ? store.openIngest() : null;
    let produced = 0;
    let inserted = 0;
    let duplicates = 0;
    let blobNo = 0;
    let inStore = 0;
    let cpuInStore = 0;
    const started = performance.now();
    while (produced < total) {
      const commits: BlobCommit[] = [];
      for (let b = 0; b < perCommit && produced < total; b++) {
        const fresh = Math.min(blobSize, total - produced);
        const rows: EventRow[] = [];
        const tenant = `tenant-${blobNo % 2}`;
        for (let i = 0; i < fresh; i++) rows.push(syntheticRow(produced + i, tenant));
        // Re-deliver some records of earlier blobs of the same tenant.
        const dups = produced > 0 ? Math.floor(fresh * dupShare) : 0;
        for (let i = 0; i < dups; i++) {
          const k = Math.max(0, produced - 1 - ((i * 7919) % Math.min(produced, 50_000)));
          rows.push(syntheticRow(k, `tenant-${Math.floor(k / blobSize) % 2}`));
        }
        produced += fresh;
        const created = T0 + blobNo * 60_000;
        commits.push({
          blob: { tenantId: tenant, contentType: 'Audit.AzureActiveDirectory', contentId: `blob-${blobNo}`, contentUri: `https://example.invalid/blob-${blobNo}`, contentCreated: created, contentExpiration: created + 7 * 86_400_000 },
          rows,
          rejects: [],
          ingestedAt: Date.now(),
        });
        blobNo++;
      }
      const t = performance.now();
      const cpu = process.cpuUsage();
      const cursor = { tenantId: 'tenant-0', contentType: 'Audit.AzureActiveDirectory', position: T0 + blobNo * 60_000 };
      let results: CommitResult[] = [];
      if (session) {
        await session.add(commits);
        if (session.pendingRows >= opts.transactionRows! || produced >= total) results = await session.commit([cursor]);
      } else {
        results = [await store.commitBlobs(commits, cursor)];
      }
      inStore += performance.now() - t;
      const used = process.cpuUsage(cpu);
      cpuInStore += used.user + used.system;
      for (const res of results) {
        inserted += res.inserted;
        duplicates += res.duplicates;
      }
      opts.onProgress?.(produced, produced / (inStore / 1000));
    }
    await session?.close();
    const seconds = (performance.now() - started) / 1000;
    let fileMb: number | null = null;
    if (!opts.open) {
      const bytes = await benchFileBytes(store);
      fileMb = bytes === null ? null : Math.round(bytes / 1024 / 1024);
    }
    const storeSeconds = inStore / 1000;
    return { records: total, inserted, duplicates, seconds, storeSeconds, recordsPerSecond: Math.round(total / storeSeconds), peakRssMb: peakRssMb(), fileMb, cpuMicrosPerRecord: Math.round((cpuInStore / total) * 10) / 10 };
  } finally {
    if (!opts.open) await store.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}



/** `npm run bench -- store-ingest [--records=N] [--blob=N] [--blobs-per-commit=N] [--transaction=ROWS] [--threads=N] [--duckdb-memory=SIZE]`. */
export async function run(args: string[]): Promise<void> {
  const num = (name: string): number | undefined => {
    const a = args.find((x) => x.startsWith(`--${name}=`));
    const v = a ? Number(a.slice(name.length + 3)) : NaN;
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const records = num('records') ?? 1_000_000;
  // Measured as an ingest-only process would run: DuckDB capped at 128MB unless --duckdb-memory says otherwise.
  const memory = args.find((x) => x.startsWith('--duckdb-memory='))?.slice('--duckdb-memory='.length) ?? '128MB';
  let last = 0;
  const result = await benchStoreIngest({
    records,
    blobSize: num('blob') ?? 2_000,
    blobsPerCommit: num('blobs-per-commit') ?? 1,
    ...(num('transaction') ? { transactionRows: num('transaction') } : {}),
    ...(num('threads') ? { threads: num('threads') } : {}),
    ...(memory ? { memoryLimit: memory } : {}),
    onProgress: (done, rate) => {
      if (done - last >= records / 10 || done === records) {
        last = done;
        process.stdout.write(`  ${done.toLocaleString('en-US')} records, ${Math.round(rate).toLocaleString('en-US')} records/s\n`);
      }
    },
  });
  process.stdout.write(
    `store-ingest: ${result.records.toLocaleString('en-US')} records (+${result.duplicates.toLocaleString('en-US')} re-delivered duplicates dropped) in ${result.storeSeconds.toFixed(1)} s of store time (${result.seconds.toFixed(1)} s wall) = ${result.recordsPerSecond.toLocaleString('en-US')} records/s, ${result.cpuMicrosPerRecord} CPU-µs a record, peak RSS ${result.peakRssMb} MB, file ${result.fileMb ?? '?'} MB\n`,
  );
}
