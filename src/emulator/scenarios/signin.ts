// Sign-in scenarios (RecordType 15, Audit.AzureActiveDirectory): brute force, password spray, success
// after failures, impossible travel; and their benign look-alikes password-typo and plausible-travel.

import { COUNTRIES, TOOL_AGENTS } from '../tenant/data.js';
import { addressIn } from '../tenant/directory.js';
import { signIn } from '../tenant/records.js';
import type { ScenarioDef } from './context.js';
import { IMPOSSIBLE_TRAVEL, raiseBuiltinAlert } from './alerts.js';

const AAD = 'Audit.AzureActiveDirectory' as const;
const EXO = '00000002-0000-0ff1-ce00-000000000000';
const S = 1000;

export const SIGNIN_SCENARIOS: ScenarioDef[] = [
  {
    name: 'brute-force',
    label: 'attack',
    summary: 'One account, many UserLoginFailed 50126 from one IP within a few minutes (the last three 50053 IdsLocked).',
    params: ['victims (1 UPN)', 'ip', 'intensity (failures, default 30)'],
    run(s) {
      const victim = s.victims(1)[0]!;
      const ip = s.attackerIp(true, victim.country);
      const n = s.number('intensity', 30, 1, 10_000);
      const agent = s.rng.pick(TOOL_AGENTS);
      const step = Math.max(2 * S, Math.floor((4 * 60 * S) / n));
      for (let i = 0; i < n; i++) {
        const error = n >= 10 && i >= n - 3 ? '50053' : '50126';
        s.add(AAD, s.at + i * step, (c) => signIn(c, victim, { ip, agent, error, resource: EXO, requestType: 'Login:login' }));
      }
      return { actors: [ip], victims: [victim.upn], details: { failures: n } };
    },
  },
  {
    name: 'password-spray',
    label: 'attack',
    summary: 'One IP, one UserLoginFailed 50126 against each of many accounts within minutes.',
    params: ['victims (UPNs)', 'ip', 'intensity (accounts, default 20)'],
    run(s) {
      const n = s.number('intensity', 20, 2, 5000);
      const victims = s.victims(Math.min(n, Math.max(2, s.dir.users.length - 4)));
      const ip = s.attackerIp(true);
      const agent = s.rng.pick(TOOL_AGENTS);
      victims.forEach((v, i) => {
        s.add(AAD, s.at + i * 20 * S, (c) => signIn(c, v, { ip, agent, error: '50126', resource: EXO, requestType: 'Login:login' }));
      });
      return { actors: [ip], victims: victims.map((v) => v.upn) };
    },
  },
  {
    name: 'success-after-failures',
    label: 'attack',
    summary: 'A burst of UserLoginFailed 50126 on one account from one IP, then UserLoggedIn from the same IP.',
    params: ['victims (1 UPN)', 'ip', 'intensity (failures before the success, default 12)'],
    run(s) {
      const victim = s.victims(1)[0]!;
      const ip = s.attackerIp(true, victim.country);
      const n = s.number('intensity', 12, 1, 10_000);
      const agent = s.rng.pick(TOOL_AGENTS);
      for (let i = 0; i < n; i++) {
        s.add(AAD, s.at + i * 15 * S, (c) => signIn(c, victim, { ip, agent, error: '50126', resource: EXO, requestType: 'Login:login' }));
      }
      s.add(AAD, s.at + n * 15 * S + 20 * S, (c) => signIn(c, victim, { ip, agent, error: '0', resource: EXO, requestType: 'Login:login' }));
      return { actors: [ip], victims: [victim.upn], details: { failures: n } };
    },
  },
  {
    name: 'impossible-travel',
    label: 'attack',
    summary: 'Successful sign-ins of one account from its home country and, 20–40 minutes later, from a country thousands of km away.',
    params: ['victims (1 UPN)', 'ip (the far address)', 'minutes (gap, default 20–40)'],
    run(s) {
      const victim = s.victims(1)[0]!;
      const far = ['CN', 'BR', 'NG', 'IN'].filter((c) => c !== victim.country && !(victim.country === 'BR' && c === 'NG'));
      const farCountry = s.rng.pick(far);
      const ip = s.text('ip') ?? addressIn(s.rng, COUNTRIES[farCountry]!.isp);
      const gap = s.number('minutes', s.rng.int(20, 41), 1, 600) * 60 * S;
      s.add(AAD, s.at, (c) => signIn(c, victim, { ip: victim.homeIp, agent: victim.agent, error: '0' }));
      s.add(AAD, s.at + gap, (c) => signIn(c, victim, { ip, agent: s.rng.pick(TOOL_AGENTS), error: '0', resource: EXO }));
      raiseBuiltinAlert(s, s.at + gap, victim.upn, IMPOSSIBLE_TRAVEL);
      return { actors: [ip], victims: [victim.upn], details: { homeCountry: victim.country, farCountry, homeIp: victim.homeIp } };
    },
  },
  {
    name: 'password-typo',
    label: 'benign',
    summary: 'A user mistypes the password twice (50126, own address and browser) and then signs in.',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      s.add(AAD, s.at, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '50126', requestType: 'Login:login' }));
      s.add(AAD, s.at + 18 * S, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '50126', requestType: 'Login:login' }));
      s.add(AAD, s.at + 41 * S, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '0', requestType: 'Login:login' }));
      return { actors: [u.upn], victims: [u.upn] };
    },
  },
  {
    name: 'plausible-travel',
    label: 'benign',
    summary: 'A user signs in at home and, 14 hours later, from another country (a flight fits in between).',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      const dest = s.rng.pick(['US', 'GB', 'DE', 'FR', 'NL'].filter((c) => c !== u.country));
      const ip = addressIn(s.rng, COUNTRIES[dest]!.isp);
      // The sign-in abroad lands at 03:00 of the traveller's home time zone, when their everyday activity
      // (which keeps coming from home) is nearly nil: no home sign-in falls within hours of it.
      const hour = 3600 * S;
      let abroad = s.at + 14 * hour;
      abroad += ((((3 - Math.floor((abroad + u.tzMinutes * 60 * S) / hour)) % 24) + 24) % 24) * hour;
      s.add(AAD, abroad - 14 * hour, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '0' }));
      s.add(AAD, abroad, (c) => signIn(c, u, { ip, agent: u.mobileAgent, error: '0' }));
      return { actors: [u.upn], victims: [u.upn], details: { homeCountry: u.country, destination: dest } };
    },
  },
];
