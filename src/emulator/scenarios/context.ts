// What a scenario is and the helpers scenarios share: parameter reading (actor, victims, intensity, ip,
// forms), deterministic default picks from the tenant's directory, and a record sink that gives each
// record its own Id and generator.

import { fastGuid } from '../tenant/ids.js';
import { AppError, Rng } from '../../core/index.js';
import type { ContentType } from '../../records/index.js';
import { COUNTRIES, HOSTILE_COUNTRIES } from '../tenant/data.js';
import { addressIn, type SimUser, type TenantDirectory } from '../tenant/directory.js';
import type { Ctx, Rec } from '../tenant/records.js';

export interface ScenarioRecord {
  contentType: ContentType;
  time: number;
  record: Rec;
}

export interface ScenarioOutcome {
  actors: string[];
  victims: string[];
  /** Extra facts a detection author may want (grantee, form of an identity, external address…). */
  details?: Record<string, string | number | string[]>;
}

export interface ScenarioDef {
  name: string;
  label: 'attack' | 'benign';
  summary: string;
  /** Parameters it reads, for `scenarioNames` documentation and validation messages. */
  params: string[];
  run(s: ScenarioRun): ScenarioOutcome;
}

/** How the UPN of a user is written in a cmdlet's parameter (identity resolution must cope with each). */
export type IdentityForm = 'upn' | 'alias' | 'displayName' | 'objectId';
export const IDENTITY_FORMS: IdentityForm[] = ['upn', 'alias', 'displayName', 'objectId'];

export function identityIn(u: SimUser, form: IdentityForm): string {
  return form === 'upn' ? u.upn : form === 'alias' ? u.alias : form === 'displayName' ? u.displayName : u.objectId;
}

export class ScenarioRun {
  readonly records: ScenarioRecord[] = [];
  readonly rng: Rng;
  private used = new Set<number>();

  constructor(
    readonly def: ScenarioDef,
    readonly dir: TenantDirectory,
    readonly seed: string | number,
    readonly at: number,
    readonly params: Record<string, unknown>,
    serial: number,
  ) {
    this.rng = new Rng(seed, 'scenario', dir.index, def.name, at, serial);
  }

  /** Adds one record at `time`, built with its own generator; returns it. */
  add(contentType: ContentType, time: number, build: (c: Ctx) => Rec): Rec {
    const rng = new Rng(this.rng.next() * 2 ** 32, this.records.length);
    const c: Ctx = { dir: this.dir, rng, time: Math.floor(time / 1000) * 1000, id: fastGuid(rng) };
    const record = build(c);
    this.records.push({ contentType, time: c.time, record });
    return record;
  }

  // ---- parameters -------------------------------------------------------------------------------

  number(name: string, fallback: number, min = 1, max = 100_000): number {
    const v = this.params[name];
    if (v === undefined || v === null) return fallback;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new AppError('bad_scenario_param', `Scenario ${this.def.name}: ${name} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  }

  text(name: string): string | undefined {
    const v = this.params[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      throw new AppError('bad_scenario_param', `Scenario ${this.def.name}: ${name} must be a non-empty string.`);
    }
    return v.trim();
  }

  form(name: string, fallback: IdentityForm): IdentityForm {
    const v = this.text(name);
    if (v === undefined) return fallback;
    if (!(IDENTITY_FORMS as string[]).includes(v)) {
      throw new AppError('bad_scenario_param', `Scenario ${this.def.name}: ${name} must be one of ${IDENTITY_FORMS.join(', ')}.`);
    }
    return v as IdentityForm;
  }

  private findUser(value: string, what: string): SimUser {
    const v = value.toLowerCase();
    const u = this.dir.users.find((x) => x.upn === v || x.alias === v || x.objectId === v);
    if (!u) throw new AppError('bad_scenario_param', `Scenario ${this.def.name}: ${what} ${value} is not a user of ${this.dir.domain}; give a UPN of that tenant.`);
    this.used.add(u.index);
    return u;
  }

  /** The actor: params.actor (UPN) or a deterministic pick (an admin when `admin`). */
  actor(admin: boolean): SimUser {
    const given = this.text('actor');
    if (given !== undefined) return this.findUser(given, 'actor');
    return this.pickUsers(1, admin)[0]!;
  }

  /** Victims: params.victims (UPN list or comma-separated) or `count` deterministic picks, never the actor. */
  victims(count: number, exclude: SimUser[] = []): SimUser[] {
    const raw = this.params.victims;
    if (raw !== undefined && raw !== null) {
      const list = Array.isArray(raw) ? raw : String(raw).split(',');
      if (list.length === 0) throw new AppError('bad_scenario_param', `Scenario ${this.def.name}: victims must list at least one UPN.`);
      return list.map((x) => this.findUser(String(x).trim(), 'victim'));
    }
    for (const e of exclude) this.used.add(e.index);
    return this.pickUsers(count, false);
  }

  /** Distinct users not used yet in this run (admins only when asked; ordinary staff otherwise). */
  pickUsers(count: number, admin: boolean): SimUser[] {
    const pool = this.dir.users.filter((u) => u.isAdmin === admin && !this.used.has(u.index));
    const fallback = this.dir.users.filter((u) => !this.used.has(u.index));
    const from = pool.length >= count ? pool : fallback;
    if (from.length < count) {
      throw new AppError('bad_scenario_param', `Scenario ${this.def.name} needs ${count} distinct users; the tenant has too few (start it with more --users).`);
    }
    const picked: SimUser[] = [];
    const copy = [...from];
    for (let i = 0; i < count; i++) {
      const j = this.rng.int(0, copy.length);
      const u = copy.splice(j, 1)[0]!;
      picked.push(u);
      this.used.add(u.index);
    }
    return picked;
  }

  /** params.ip, or an address in a hostile country's block (hosting when `cloud`). */
  attackerIp(cloud = true, avoidCountry?: string): string {
    const given = this.text('ip');
    if (given !== undefined) return given;
    const countries = HOSTILE_COUNTRIES.filter((c) => c !== avoidCountry);
    const country = COUNTRIES[this.rng.pick(countries)]!;
    const blocks = cloud && country.cloud.length > 0 ? country.cloud : country.isp;
    return addressIn(this.rng, blocks);
  }

  /** params.address or an external mailbox for exfiltration. */
  externalAddress(): string {
    const given = this.text('address');
    if (given !== undefined) return given;
    const names = ['invoices.archive', 'backup.mailbox', 'j.doe1987', 'records.keeper', 'acct.team'];
    const domains = ['protonmail.com', 'gmail.com', 'outlook-mail.net', 'mail-archive.io'];
    return `${this.rng.pick(names)}${this.rng.int(10, 99)}@${this.rng.pick(domains)}`;
  }
}
