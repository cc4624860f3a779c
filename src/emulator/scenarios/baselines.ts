// Baseline scenarios (issue 14): what only a first-seen rule finds — a sign-in from a country and a
// device both new for the account, an admin cmdlet new for the admin run from a country new for them,
// a consent to an application new for the user (with harmless-looking scopes) — and their benign
// look-alikes: a traveller on their own phone, an admin's new task from the office, a renewed consent.
//
// First-seen rules learn the tenant's first three days without alerting, so the renewed consent is
// placed early in the history (CONSENT_RENEWED, right after the sign-in scenarios in the registry): its
// first consent is learned and the renewal, 2.6 days later, falls after the learning period of a 7-day
// history (and the scenario still fits in a 3-day one).

import { fastGuid } from '../tenant/ids.js';
import { COUNTRIES, HOME_COUNTRIES } from '../tenant/data.js';
import { addressIn, type SimUser } from '../tenant/directory.js';
import { consentAudit, exchangeAdmin, servicePrincipalTarget, signIn } from '../tenant/records.js';
import type { ScenarioDef, ScenarioRun } from './context.js';

const AAD = 'Audit.AzureActiveDirectory' as const;
const EXO = 'Audit.Exchange' as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Desktop agents no simulated user has (the tenant's users draw theirs from DESKTOP_AGENTS). */
const INTRUDER_AGENTS = [
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 OPR/107.0.0.0',
];
/** Delegated scopes that look harmless (no mail or file access), as a consent record writes them. */
const HARMLESS_SCOPES = 'openid profile User.Read offline_access';

/** One "Consent to application." by `u` to an app (delegated, not admin, harmless-looking scopes). */
function consent(s: ScenarioRun, at: number, u: SimUser, app: { name: string; appId: string; spId: string }): void {
  s.add(AAD, at, (c) => consentAudit(c, u, servicePrincipalTarget(app.name, app.appId, app.spId), HARMLESS_SCOPES));
}

/** Placed early in the registry (see the file comment). */
export const CONSENT_RENEWED: ScenarioDef = {
  name: 'consent-renewed',
  label: 'benign',
  summary: 'A user consents to an application and, 2.6 days later, consents to it again (a renewed consent, harmless scopes).',
  params: ['actor (UPN)'],
  run(s) {
    const u = s.actor(false);
    const app = { name: s.rng.pick(['Zoom for Outlook', 'Adobe Acrobat Sign', 'Miro']), appId: fastGuid(s.rng), spId: fastGuid(s.rng) };
    consent(s, s.at, u, app);
    consent(s, s.at + 2.6 * DAY, u, app);
    return { actors: [u.upn], victims: [u.upn], details: { app: app.name } };
  },
};

export const BASELINE_SCENARIOS: ScenarioDef[] = [
  {
    name: 'signin-new-country-device',
    label: 'attack',
    summary: 'A successful sign-in of an account from a country it never signed in from, with a browser it never used (a replayed password or session).',
    params: ['victims (1 UPN)', 'ip'],
    run(s) {
      const u = s.victims(1)[0]!;
      const ip = s.attackerIp(false, u.country);
      const agent = s.rng.pick(INTRUDER_AGENTS);
      // The account's own sign-in from home two hours before, so the victim has a baseline even in a small
      // tenant whose everyday activity never signs that account in during the week (first-seen rules
      // learn a never-seen account's first values instead of alerting on them).
      s.add(AAD, s.at - 2 * HOUR, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '0' }));
      s.add(AAD, s.at, (c) => signIn(c, u, { ip, agent, error: '0', requestType: 'Login:login' }));
      return { actors: [ip], victims: [u.upn], details: { homeCountry: u.country } };
    },
  },
  {
    name: 'signin-abroad-known-device',
    label: 'benign',
    summary: 'A user signs in on their own phone at home and, 14 hours later, on the same phone from another country (travel).',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      const dest = s.rng.pick(HOME_COUNTRIES.filter((c) => c !== u.country));
      // As plausible-travel: the sign-in abroad lands at 03:00 of the traveller's home time zone, when
      // their everyday activity (which keeps coming from home) is nearly nil: the last such 03:00 at or
      // before at + 14 h, so the scenario stays within its place in the history.
      let abroad = s.at + 14 * HOUR;
      abroad -= ((((Math.floor((abroad + u.tzMinutes * 60_000) / HOUR) - 3) % 24) + 24) % 24) * HOUR;
      s.add(AAD, abroad - 14 * HOUR, (c) => signIn(c, u, { ip: u.mobileIp, agent: u.mobileAgent, error: '0' }));
      s.add(AAD, abroad, (c) => signIn(c, u, { ip: addressIn(s.rng, COUNTRIES[dest]!.isp), agent: u.mobileAgent, error: '0' }));
      return { actors: [u.upn], victims: [u.upn], details: { homeCountry: u.country, destination: dest } };
    },
  },
  {
    name: 'admin-cmdlet-new-country',
    label: 'attack',
    summary: 'An admin account, from an address abroad, runs a cmdlet it never ran: New-InboundConnector (mail accepted from the intruder\'s relay).',
    params: ['actor (admin UPN)', 'ip'],
    run(s) {
      const admin = s.actor(true);
      const ip = s.attackerIp(true, admin.country);
      s.add(EXO, s.at, (c) =>
        exchangeAdmin(c, admin, 'New-InboundConnector', 'Partner relay', [
          { Name: 'Name', Value: 'Partner relay' },
          { Name: 'ConnectorType', Value: 'Partner' },
          { Name: 'SenderIPAddresses', Value: `${ip.split('.').slice(0, 3).join('.')}.0/24` },
          { Name: 'RequireTls', Value: 'False' },
        ], ip),
      );
      return { actors: [admin.upn, ip], victims: [] };
    },
  },
  {
    name: 'admin-new-cmdlet-at-office',
    label: 'benign',
    summary: 'An admin runs a cmdlet they never ran (New-DistributionGroup) from their own address.',
    params: ['actor (admin UPN)'],
    run(s) {
      const admin = s.actor(true);
      const name = `${s.rng.pick(['Project Atlas', 'Office Move', 'Board Prep'])} Team`;
      s.add(EXO, s.at, (c) => exchangeAdmin(c, admin, 'New-DistributionGroup', name, [{ Name: 'Name', Value: name }, { Name: 'Type', Value: 'Distribution' }]));
      return { actors: [admin.upn], victims: [] };
    },
  },
  {
    name: 'consent-new-app',
    label: 'attack',
    summary: 'A user consents to an application they never consented to, asking only harmless-looking scopes (User.Read, offline_access): a long-lived token for an unknown app.',
    params: ['actor (UPN)', 'app (display name)'],
    run(s) {
      const u = s.actor(false);
      const app = { name: s.text('app') ?? s.rng.pick(['Doc Reader Plus', 'Meeting Notes AI', 'Inbox Cleaner']), appId: fastGuid(s.rng), spId: fastGuid(s.rng) };
      consent(s, s.at, u, app);
      return { actors: [u.upn], victims: [u.upn], details: { app: app.name, appId: app.appId } };
    },
  },
];
