// The contract between the emulator's HTTP surface (server/) and its simulated tenants (tenant/,
// scenarios/). The HTTP side knows nothing of how records are made; the tenant side knows nothing of HTTP.

import type { ContentType } from '../records/index.js';

export interface EmulatorTenant {
  tenantId: string;
  /** e.g. contoso-1.onmicrosoft.com */
  domain: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  /** Application roles granted (ActivityFeed.Read, ActivityFeed.ReadDlp). The server generates each
   *  tenant's certificate (for client_assertion) itself at start-up. */
  roles: string[];
}

/** A person of a tenant who can sign in at the emulator's OpenID Connect provider. */
export interface SignInUser {
  /** The sign-in name (preferred_username), e.g. adele.vance@contoso-1.onmicrosoft.com. */
  upn: string;
  displayName: string;
  /** The user's object id (oid). */
  objectId: string;
  /** App roles of the dashboard's registration (the id_token's roles claim), e.g. AuditWatch.Admin. */
  roles: string[];
}

/** One content blob as the listing shows it. Times are epoch ms. */
export interface BlobMeta {
  tenantId: string;
  contentType: ContentType;
  contentId: string;
  contentCreated: number;
  contentExpiration: number;
  recordCount: number;
}

export interface GroundTruthScenario {
  name: string;
  label: 'attack' | 'benign';
  tenantId: string;
  /** UPNs or IPs of the actors. */
  actors: string[];
  victims: string[];
  start: string;
  end: string;
  recordIds: string[];
  /** Scenario-specific facts (e.g. grantee, the form `User` was written in, an external address). */
  details?: Record<string, string | number | string[]>;
}

export interface GroundTruth {
  /** The time asked (ISO): `available` is what the API serves at this moment. */
  asOf?: string;
  /** contentCreated of the oldest blob the API still serves (7 days before asOf, ISO). */
  servedFrom?: string;
  scenarios: GroundTruthScenario[];
  /**
   * tenantId → contentType → unique record Ids in the blobs the API serves at the time asked: published
   * (contentCreated ≤ then) and not expired (contentCreated > then − 7 days), so exactly what an
   * independent client can list and fetch then.
   */
  available: Record<string, Record<string, string[]>>;
  /** With `times`: tenantId → contentType → record Id → contentCreated (ISO) of the first served blob holding it, for every record in `available`. */
  availableSince?: Record<string, Record<string, Record<string, string>>>;
  /**
   * With `times`: the records known at the time asked (events up to then, injected scenario records) that
   * no blob served then holds yet, with the contentCreated (ISO) of the blob that will publish them.
   */
  pending?: Record<string, Record<string, Record<string, string>>>;
  /** With `times`: the earliest time in `pending` (null: nothing pending). */
  nextPublished?: string | null;
}

export interface GroundTruthOptions {
  /** Also say when each record is or will be published (availableSince, pending, nextPublished). */
  times?: boolean;
}

/** What the HTTP surface asks of the simulated tenants. Everything is deterministic for a seed. */
export interface ContentSource {
  tenants(): EmulatorTenant[];
  /** The tenant's people who can sign in through the OpenID Connect provider; none: nobody can. */
  signInUsers?(tenantId: string): SignInUser[];
  /**
   * Blobs of a tenant and content type with from <= contentCreated < to and contentCreated <= now,
   * in the order they became available (contentCreated, then contentId).
   */
  listBlobs(tenantId: string, contentType: ContentType, from: number, to: number, now: number): BlobMeta[];
  /** A blob's records as JSON array text, or null when no such blob exists. */
  blobContent(tenantId: string, contentId: string): { meta: BlobMeta; body: string } | null;
  /**
   * The ground truth as of `now` (only blobs with contentCreated <= now count as available; with a
   * `created` range, only those with from <= contentCreated < to: what a collector listing it can get).
   */
  groundTruth(now: number, created?: { from: number; to: number }, options?: GroundTruthOptions): GroundTruth;
  /** Names of the scenarios that can be injected. */
  scenarioNames(): string[];
  /** Injects a scenario at run time; returns its ground-truth entry. Throws AppError for an unknown name. */
  inject(name: string, params: Record<string, unknown>, at: number): GroundTruthScenario;
}
