// The operations on a store this process holds: what `auditwatch alerts|report|detect|hunt|import|
// status|query|rules` do, as functions of a context (config, store, clock, logger) that answer data.
// The CLI builds it on the store it opened; the collect daemon builds it on its own store and serves it
// over HTTP.

import { createReadStream } from 'node:fs';
import { access, readFile, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { AppError, errorMessage, parseDuration, safeLine, type Clock, type Logger } from '../core/index.js';
import { createAlertService, ENTITY_KINDS, globEscape, hitFields, toPayload, type Alert, type AlertFilter, type AlertService, type Suppression } from '../alerts/index.js';
import type { Entities } from '../detect/index.js';
import { createDetector, learnIdentitiesFromStore, loadRules } from '../detect/index.js';
import { importReason, normalize, readImport, type EventRow, type Rejection } from '../records/index.js';
import { countryLookup, fileStamp, findReport, listRuns, parsePeriodName, periodAt, RENDERERS, REPORTS, runReport, safeName, type ReportResult } from '../reports/index.js';
import type { Store } from '../store/index.js';
import type { Config } from './config.js';
import { ingestTransform, type RowTransform } from './ingest.js';
import { loadProblem, ruleProblemLine, type RuleProblem } from './pipeline.js';
import { buildOverview, overviewSince } from './overview.js';
import type { AlertBulkResult, AlertChange, AlertListInput, FileAnswer, ImportCounts, Operations, OperationName, Reply, ReportInfo, ReportInput, SuppressionInfo } from './operations.js';
import { configDisabledOf, listRules, overridesOf, reportRuleErrors, reportRuleFailures, ruleDirsOf, rulesOf, setRuleEnabled, storeDisabled, testRules, validateRules } from './rules.js';
import { computeStatus, type StatusOptions, type StatusReport } from './status-report.js';
import { asLeader } from './cluster.js';
import { timeOption } from './times.js';
import { accountOperations } from './accounts.js';
import { investigateOperations } from './investigate.js';

export interface ServiceContext {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The status with the live state of a running collector (the daemon's); default: from the store. */
  status?: (options?: StatusOptions) => Promise<StatusReport>;
  /** What an import of "-" reads; without it "-" is refused (the daemon has no user's stdin). */
  stdin?: NodeJS.ReadableStream;
  /**
   * Runs a `detect` job with no other detection pass beside it. The daemon passes its leadership's
   * (after its own passes, and only while it leads); default: take the leader lease for the job (asLeader).
   */
  exclusiveDetection?: <T>(fn: () => Promise<T>) => Promise<T>;
}

const BATCH = 5_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_ALERT_LIMIT = 1000;

const reply = <T>(data: T, warnings: string[] = []): Reply<T> => ({ data, warnings });
const change = (a: Alert): Reply<AlertChange> => reply({ id: a.id, status: a.status, assignee: a.assignee, revision: a.revision });
const suppressionInfo = (s: Suppression): SuppressionInfo => ({
  ...s,
  createdAt: new Date(s.createdAt).toISOString(),
  expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt).toISOString(),
});

export function createOperations(ctx: ServiceContext): Operations {
  const { config, store, clock, logger } = ctx;
  const alerts = (): AlertService => createAlertService({ store, clock, logger: logger.child({ part: 'alerts' }), config: config.alerts });
  const actorOf = (actor: string) => safeLine(actor, 100);
  const reportOf = async (input: ReportInput): Promise<ReportResult> => {
    const def = findReport(input.name);
    const now = clock.now();
    if (input.period !== undefined && (input.from !== undefined || input.to !== undefined)) throw new AppError('usage', 'Give either --period or --from/--to, not both.');
    const named = periodAt(input.period !== undefined ? parsePeriodName(input.period, '--period') : def.defaultPeriod, now);
    const to = timeOption(input.to, input.from !== undefined ? now : named.to, now, '--to');
    const from = timeOption(input.from, named.from, now, '--from');
    if (from >= to) throw new AppError('usage', '--from must be before --to.');
    const threshold = input.threshold ?? config.reports.threshold;
    const limit = input.limit ?? 1000;
    const countryOf = ['signins-by-country', 'failed-signins'].includes(def.name) ? await countryLookup() : null;
    return runReport(def, { store, period: { from, to }, now, params: { threshold, limit, ...(countryOf ? { countryOf } : {}) } });
  };
  /** The status and the skipped rules: the daemon's, or without it the rules that do not load or compile. */
  const statusAndProblems = async (options: StatusOptions = {}): Promise<{ report: StatusReport; problems: RuleProblem[] }> => {
    if (ctx.status) {
      const report = await ctx.status(options);
      const skipped = (report.services?.['detect+alerts'] as { skipped?: RuleProblem[] } | undefined)?.skipped;
      return { report, problems: Array.isArray(skipped) ? skipped : await loadProblems() };
    }
    const report = await computeStatus(store, config.tenants, clock.now(), [], options);
    const problems = await loadProblems();
    for (const p of problems) report.warnings.push(ruleProblemLine(p));
    return { report, problems };
  };
  const statusReport = async (): Promise<StatusReport> => (ctx.status ? ctx.status() : (await statusAndProblems()).report);
  const loadProblems = async (): Promise<RuleProblem[]> =>
    (await loadRules(ruleDirsOf(config), { disabled: configDisabledOf(config, await store.state.rules.list()) })).errors.map(loadProblem);
  /** The daemon's skipped rules (load, compile, run), or without it those that do not load. */
  /** The list filters of an alert query, times and the tenant resolved. */
  const alertFilter = (input: AlertListInput): AlertFilter => {
    const now = clock.now();
    return {
      ...(input.status ? { status: input.status } : {}),
      ...(input.severity ? { severity: input.severity } : {}),
      ...(input.rule ? { rule: input.rule } : {}),
      ...(input.tenant ? { tenant: config.tenants.find((t) => t.name === input.tenant)?.tenantId ?? input.tenant } : {}),
      ...(input.assignee ? { assignee: input.assignee === '-' ? null : input.assignee } : {}),
      ...(input.since ? { since: timeOption(input.since, 0, now, 'since') } : {}),
      ...(input.until ? { until: timeOption(input.until, now, now, 'until') } : {}),
      ...(input.sort ? { sort: input.sort } : {}),
    };
  };

  return {
    async alertsList(input) {
      const limit = input.limit ?? DEFAULT_ALERT_LIMIT;
      // One more than asked tells whether the list was cut.
      const found = await alerts().list({ ...alertFilter(input), limit: limit + 1, ...(input.offset ? { offset: input.offset } : {}) });
      const warnings = found.length > limit ? [`more than ${limit} alerts match; the first ${limit} are shown (raise --limit or narrow the filter)`] : [];
      return reply(found.slice(0, limit).map(toPayload), warnings);
    },
    async alertsShow({ id }) {
      const d = await alerts().show(id);
      return reply({ alert: { ...toPayload(d.alert), groupKey: d.alert.groupKey }, history: d.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })) });
    },
    alertsAck: async ({ id, actor }) => change(await alerts().ack(id, actorOf(actor))),
    alertsAssign: async ({ id, assignee, actor }) => change(await alerts().assign(id, assignee === null ? null : safeLine(assignee, 200), actorOf(actor))),
    alertsComment: async ({ id, text, actor }) => change(await alerts().comment(id, text, actorOf(actor))),
    alertsResolve: async ({ id, actor, falsePositive, comment }) =>
      change(await alerts().resolve(id, { actor: actorOf(actor), falsePositive: falsePositive === true, ...(comment ? { comment } : {}) })),
    alertsReopen: async ({ id, actor, comment }) => change(await alerts().reopen(id, actorOf(actor), comment)),
    async alertsBulk(input) {
      const who = actorOf(input.actor);
      const service = alerts();
      const reason = input.reason?.trim() ? input.reason.trim() : undefined;
      if (input.action === 'suppress' && !reason) throw new AppError('usage', 'Suppressing alerts needs a reason so that others know why; give one.');
      const out: AlertBulkResult = { changed: [], failed: [], suppressions: [] };
      const added = new Map<string, string>();
      for (const id of [...new Set(input.ids)]) {
        try {
          if (input.action === 'ack') out.changed.push(change(await service.ack(id, who)).data);
          else if (input.action === 'assign') out.changed.push(change(await service.assign(id, input.assignee ? safeLine(input.assignee, 200) : null, who)).data);
          else if (input.action === 'resolve') out.changed.push(change(await service.resolve(id, { actor: who, ...(reason ? { comment: reason } : {}) })).data);
          else {
            // A suppression per rule, tenant and the alert's leading entity, then the alert closed as a false positive.
            const a = (await service.show(id)).alert;
            const entities = suppressionEntities(a.entities);
            const key = JSON.stringify([a.ruleId, a.tenantId, entities]);
            if (!added.has(key)) {
              const s = await service.addSuppression({ ruleId: a.ruleId, tenantId: a.tenantId, entities, reason: reason!, createdBy: who, expiresAt: null });
              added.set(key, s.id);
              out.suppressions.push(s.id);
            }
            const done = a.status === 'resolved' || a.status === 'false_positive' ? a : await service.resolve(id, { actor: who, falsePositive: true, comment: `suppressed (${added.get(key)}): ${reason!}` });
            out.changed.push(change(done).data);
          }
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          out.failed.push({ id: safeLine(id, 100), error: safeLine(err.message, 300) });
        }
      }
      const warnings = out.failed.length ? [`${out.failed.length} of ${input.ids.length} alerts were not changed: ${out.failed[0]!.error}`] : [];
      return reply(out, warnings);
    },
    async overview() {
      // Collection health without the record counts: they would read the whole events table per call.
      const { report, problems } = await statusAndProblems({ records: false });
      const summary = await alerts().summary(overviewSince(clock.now()));
      return reply(buildOverview(summary, report, problems));
    },
    async suppressionsAdd(input) {
      let expiresAt: number | null = null;
      if (input.expires !== undefined && input.expires !== null) {
        try {
          expiresAt = clock.now() + parseDuration(input.expires, '--expires');
        } catch {
          throw new AppError('usage', `--expires "${safeLine(input.expires, 40)}" is not a duration; write it like 12h or 7d.`);
        }
      }
      const s = await alerts().addSuppression({
        ruleId: input.ruleId ?? null,
        tenantId: input.tenantId ?? null,
        entities: input.entities ?? [],
        reason: input.reason,
        createdBy: actorOf(input.createdBy),
        expiresAt,
      });
      return reply(suppressionInfo(s));
    },
    suppressionsList: async ({ all }) => reply((await alerts().listSuppressions({ includeExpired: all === true })).map(suppressionInfo)),
    async suppressionsRemove({ id }) {
      await alerts().removeSuppression(id);
      return reply({ id });
    },
    reportsList: async () => reply(reportInfos()),
    reportRuns: async ({ limit }) => reply((await listRuns(store, { limit: limit ?? 100 })).map((r) => ({ ...r, id: runId(r) }))),
    report: async (input) => reply(await reportOf(input)),
    async detect(input) {
      const now = clock.now();
      const to = timeOption(input.to, now, now, '--to');
      const from = timeOption(input.from, now - 24 * 3_600_000, now, '--from');
      if (from >= to) throw new AppError('usage', '--from must be before --to.');
      const warnings: string[] = [];
      const warn = (t: string): void => void warnings.push(t);
      // An admin's setting in the store wins over detect.disabled (see rules.ts).
      const settings = await store.state.rules.list();
      const rules = await rulesOf(config, warn, (t) => warn(`notice: ${t}`), settings);
      const off = await storeDisabled(store);
      for (const id of input.rules ?? []) if (off.has(id)) warn(`rule ${safeLine(id, 80)} is disabled (auditwatch rules enable ${safeLine(id, 80)}); it did not run`);
      const log = logger.child({ part: 'detect' });
      const sinkConfig = { window: config.alerts.window, destinations: config.alerts.destinations.map((d) => ({ name: String(d['name']) })), routes: config.alerts.routes };
      const sink = createAlertService({ store, clock, logger: log, config: sinkConfig });
      const detector = createDetector({ store, clock, logger: log, rules, disabled: configDisabledOf(config, settings), disabledNow: () => storeDisabled(store), overrides: overridesOf(config), sink });
      const exclusive = ctx.exclusiveDetection ?? (<T>(fn: () => Promise<T>) => asLeader({ store, clock, logger: log, ttlMs: config.collect.leases.ttl }, fn));
      const hits = await exclusive(async () => {
        // Identities from records ingested since the last pass (collect/import do not wait for detection).
        await learnIdentitiesFromStore(store, clock.now());
        return detector.run({ from, to, ...(input.rules && input.rules.length ? { ruleIds: input.rules } : {}) });
      });
      reportRuleFailures(detector.failures().filter((f) => f.stage === 'run'), warn);
      return reply(hits.map(hitFields), warnings);
    },
    async hunt(input) {
      if (input.files.length === 0) throw new AppError('usage', 'hunt needs a rule file; see --help.');
      const now = clock.now();
      const to = timeOption(input.to, now, now, '--to');
      const from = timeOption(input.since, now - 30 * 86_400_000, now, '--since');
      if (from >= to) throw new AppError('usage', '--since must be before --to.');
      const hunted = await loadRules(input.files, { context: ruleDirsOf(config) });
      const warnings: string[] = [];
      const warn = (t: string): void => void warnings.push(t);
      reportRuleErrors(hunted.errors, warn);
      if (hunted.rules.length === 0) {
        throw new AppError(hunted.errors.length ? 'rules_invalid' : 'usage', hunted.errors.length ? `No hunted rule loads (${hunted.errors.length} error(s)); fix them and hunt again.` : 'The hunted files hold no rule.', {
          details: hunted.errors.map((e) => safeLine(e.display(), 400)),
        });
      }
      const own = new Set(hunted.rules.map((r) => r.id));
      const pack = await loadRules(ruleDirsOf(config), { disabled: config.detect.disabled });
      const rules = [...hunted.rules, ...pack.rules.filter((r) => !own.has(r.id) && r.kind === 'rule')];
      const log = logger.child({ part: 'detect' });
      const detector = createDetector({ store, clock, logger: log, rules, overrides: overridesOf(config) });
      const ruleIds = detector.rules.filter((c) => own.has(c.rule.id) && (c.kind !== 'rule' || c.emits)).map((c) => c.rule.id);
      await learnIdentitiesFromStore(store, clock.now());
      const hits = await detector.hunt({ from, to, ruleIds });
      reportRuleFailures(detector.failures(), warn);
      return reply(hits.map(hitFields), warnings);
    },
    async importFiles(input) {
      const files = input.files;
      if (files.length === 0) throw new AppError('usage', 'Name at least one file to import (or - for stdin); see --help.');
      if (files.filter((f) => f === '-').length > 1) throw new AppError('usage', 'Stdin (-) can be imported once per run.');
      if (files.includes('-') && !ctx.stdin) throw stdinRefused();
      await checkReadable(files);
      const tenantId = resolveTenant(config, input.tenant);
      const enrich = await ingestTransform(config);
      const total: ImportCounts = { read: 0, inserted: 0, duplicates: 0, rejected: 0, rejections: [] };
      const out: { file: string; counts: ImportCounts }[] = [];
      for (const file of files) {
        const counts = await importOne(store, clock, file, tenantId, file === '-' ? ctx.stdin! : null, enrich);
        out.push({ file, counts });
        for (const k of ['read', 'inserted', 'duplicates', 'rejected'] as const) total[k] += counts[k];
      }
      return reply({ files: out, total });
    },
    status: async () => reply(await statusReport()),
    query: async ({ sql }) => {
      if (typeof sql !== 'string' || sql.trim() === '') throw new AppError('usage', 'Give the SQL as one argument, in quotes: auditwatch query "SELECT count(*) FROM events".');
      return reply(await store.queryReadOnly(sql));
    },
    rulesList: async () => reply(await listRules(config, store, clock.now())),
    rulesValidate: async ({ files }) => reply(await validateRules(config, files)),
    rulesTest: async ({ ids }) => reply(await testRules(config, ids ?? [])),
    usersList: async () => reply(await accountOperations(store, clock).list()),
    usersAdd: async (input) => reply(await accountOperations(store, clock).add(input)),
    usersPasswd: async (input) => reply(await accountOperations(store, clock).passwd(input)),
    usersRemove: async (input) => reply(await accountOperations(store, clock).remove(input)),
    ...investigateOperations(ctx),
    rulesEnable: async ({ id, changedBy, reason }) => reply(await setRuleEnabled(config, store, { id, enabled: true, changedBy, reason, at: clock.now() })),
    rulesDisable: async ({ id, changedBy, reason }) => reply(await setRuleEnabled(config, store, { id, enabled: false, changedBy, reason, at: clock.now() })),
    async reportFile(input) {
      const { format, ...rest } = input;
      const r = RENDERERS[format];
      if (!r) throw new AppError('usage', `--format "${safeLine(String(format), 20)}" is not a report format; use html, csv or json.`);
      const report = await reportOf(rest);
      const filename = `${safeName(report.name)}_${fileStamp(report.period.from)}-${fileStamp(report.period.to)}.${r.extension}`;
      return reply({ filename, contentType: r.mediaType, content: r.render(report) });
    },
    reportRunFile: async ({ id, format }) => reply(await runFile(store, config.reports.folder, id, format)),
  };
}

/** A scheduled run's id: `<schedule>@<dueAt ms>` (schedules and due times are unique together). */
export function runId(run: { schedule: string; dueAt: number }): string {
  return `${run.schedule}@${run.dueAt}`;
}

/**
 * A file of a scheduled run, read only when it lies inside the reports folder (links resolved), so a
 * run record that names any other path serves nothing.
 */
async function runFile(store: Store, folder: string, id: string, format: string): Promise<FileAnswer> {
  const at = id.lastIndexOf('@');
  const schedule = at > 0 ? id.slice(0, at) : '';
  const dueAt = at > 0 ? Number(id.slice(at + 1)) : NaN;
  const unknown = () => new AppError('not_found', `No report run "${safeLine(id, 120)}" with a ${safeLine(format, 20)} file; see GET /api/v1/reports/runs.`);
  if (!schedule || !Number.isSafeInteger(dueAt)) throw unknown();
  const run = (await listRuns(store, { schedule, limit: 100_000 })).find((r) => r.dueAt === dueAt);
  const file = run?.files.find((f) => f.format === format);
  if (!run || !file) throw unknown();
  const refused = () => new AppError('path_refused', `The file of report run "${safeLine(id, 120)}" is not inside the reports folder (reports.folder); it is not served.`);
  let root: string;
  let real: string;
  try {
    root = await realpath(resolve(folder));
    real = await realpath(resolve(file.path));
  } catch {
    if (!resolve(file.path).startsWith(resolve(folder) + sep)) throw refused();
    throw new AppError('not_found', `The ${safeLine(format, 20)} file of report run "${safeLine(id, 120)}" is gone from the reports folder (removed or moved).`);
  }
  if (!real.startsWith(root + sep)) throw refused();
  return { filename: safeName(file.filename), contentType: file.mediaType, content: await readFile(real, 'utf8') };
}

/**
 * What a suppression made from an alert matches: the values of its first entity kind (users, then IPs,
 * mailboxes, files, applications), as KIND:VALUE with `*` and `\\` escaped, so that a value from the log
 * matches only itself (a file named `*` must not silence every file); none when the alert names no entity
 * (the rule and tenant alone).
 */
export function suppressionEntities(entities: Entities): string[] {
  const kind = ENTITY_KINDS.find((k) => (entities[k] ?? []).length > 0);
  return kind ? (entities[kind] ?? []).slice(0, 10).map((v) => `${kind}:${globEscape(v)}`) : [];
}

/** The built-in reports (no store needed). */
export function reportInfos(): ReportInfo[] {
  return REPORTS.map((r) => ({ name: r.name, title: r.title, description: r.description, defaultPeriod: r.defaultPeriod }));
}

/** Reads that run beside the queue (a dashboard search must not wait for a detection pass). */
export const CONCURRENT_OPERATIONS: readonly OperationName[] = ['status', 'query', 'eventsSearch', 'eventGet', 'eventsCsv', 'entityUser', 'entityIp'];

/**
 * The operations one at a time, in the order asked, except `concurrent` ones (reads that were never
 * queued: status, query and the investigation reads). The daemon serves its store this way, as it ran
 * forwarded commands.
 */
export function serialized(ops: Operations, concurrent: readonly OperationName[] = CONCURRENT_OPERATIONS): Operations {
  let chain: Promise<unknown> = Promise.resolve();
  const out = {} as Record<OperationName, (input: never) => Promise<unknown>>;
  for (const name of Object.keys(ops) as OperationName[]) {
    const fn = (ops[name] as (input: unknown) => Promise<unknown>).bind(ops);
    out[name] = concurrent.includes(name)
      ? fn
      : (input: unknown) => {
          const next = chain.then(() => fn(input));
          chain = next.catch(() => undefined);
          return next;
        };
  }
  return out as unknown as Operations;
}

export function stdinRefused(): AppError {
  return new AppError('import_stdin', 'The collect daemon holds the store and cannot read this stdin; save it to a file and import that, or stop the daemon first.');
}

export async function checkReadable(files: readonly string[]): Promise<void> {
  for (const f of files) {
    if (f !== '-') await access(f).catch(() => {
      throw new AppError('import_missing', `Cannot read ${safeLine(f, 200)}; check the path.`);
    });
  }
}

function resolveTenant(config: Config, given: string | undefined): string | null {
  if (given === undefined) return null;
  const byName = config.tenants.find((t) => t.name === given);
  if (byName) return byName.tenantId;
  if (GUID.test(given)) return given.toLowerCase();
  throw new AppError('usage', `--tenant "${safeLine(given, 60)}" is neither a tenant name in ${config.file} nor a tenant id (GUID).`);
}

/** Rejections listed per file in an import's answer; the rest are counted (all are in dead_letters). */
const SHOWN_REJECTIONS = 20;

/** The source_id of an import's rows and dead letters. */
export function importSourceId(file: string): string {
  return `import:${file === '-' ? 'stdin' : file}`.slice(0, 500);
}

/**
 * Imports one file (or `stdin`), in batches. Each rejected record is its own dead letter with its reason
 * and original text; its first rejections are listed with their line.
 */
export async function importOne(
  store: Store,
  clock: Clock,
  file: string,
  tenantId: string | null,
  stdin: NodeJS.ReadableStream | null,
  enrich?: RowTransform,
): Promise<ImportCounts> {
  const sourceId = importSourceId(file);
  const name = file === '-' ? 'stdin' : file;
  const source = { tenantId: tenantId ?? '', contentType: null, sourceId };
  const counts: ImportCounts = { read: 0, inserted: 0, duplicates: 0, rejected: 0, rejections: [] };
  let lastLine = 0;
  let onLine = 0;
  // Keyed by its line and place on the line as well as its text, so two equal bad lines are two rows,
  // and importing the file again adds none.
  const rejectAt = (line: number, rejection: Rejection) => {
    onLine = line === lastLine ? onLine + 1 : 0;
    lastLine = line;
    rejects.push({ ...rejection, key: `line ${line}.${onLine}:${rejection.key ?? rejection.raw}` });
    counts.rejected += 1;
    if (counts.rejections.length < SHOWN_REJECTIONS) counts.rejections.push({ line, reason: rejection.reason });
  };
  let rows: EventRow[] = [];
  let rejects: Rejection[] = [];
  const flush = async () => {
    if (rows.length === 0 && rejects.length === 0) return;
    const r = await store.importRecords({ tenantId, sourceId, rows, rejects, ingestedAt: clock.now() });
    counts.inserted += r.inserted;
    counts.duplicates += r.duplicates;
    rows = [];
    rejects = [];
  };
  if (file === '-' && !stdin) throw stdinRefused();
  const input = file === '-' ? stdin! : createReadStream(file);
  try {
    for await (const item of readImport(input, name)) {
      counts.read += 1;
      if ('rejection' in item) {
        rejectAt(item.line, item.rejection);
      } else {
        const n = normalize(item.record, source, item.text);
        if (n.ok) rows.push(enrich ? enrich(n.row) : n.row);
        else rejectAt(item.line, { ...n.rejection, reason: importReason(name, item.line, n.rejection.reason) });
      }
      if (rows.length + rejects.length >= BATCH) await flush();
    }
    await flush();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('import_read', `Reading ${safeLine(file, 200)} failed after ${counts.read} records (${errorMessage(err)}); what was read before is stored; fix the file and import it again (nothing is stored twice).`);
  }
  return counts;
}
