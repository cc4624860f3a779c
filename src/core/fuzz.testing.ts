// Test support for the property-based (fuzz) tests: generators of hostile strings and values, and one
// way to run a property so that its number of cases is printed. The normal suite runs a short pass;
// `npm run fuzz` sets AUDITWATCH_FUZZ_SCALE (default 50) for a long one. A failure prints fast-check's
// seed and path; AUDITWATCH_FUZZ_SEED replays a run.

import fc from 'fast-check';
import type { TestContext } from 'node:test';

/** How many times more cases than the short pass (1 in `npm test`). */
export const FUZZ_SCALE = Math.max(1, Number(process.env.AUDITWATCH_FUZZ_SCALE ?? '1') || 1);
const SEED = process.env.AUDITWATCH_FUZZ_SEED === undefined ? undefined : Number(process.env.AUDITWATCH_FUZZ_SEED);

/** Cases run by this process, by property name (printed by each test as a diagnostic). */
export const casesRun = new Map<string, number>();

/**
 * Runs `property` over `runs` × FUZZ_SCALE cases and reports the count as a test diagnostic
 * ("fuzz: 200 cases"), so the TAP output of every run records how much was tried.
 */
export function fuzz<T>(t: TestContext, arbitrary: fc.Arbitrary<T>, property: (value: T) => void, runs: number): void {
  const numRuns = runs * FUZZ_SCALE;
  let n = 0;
  try {
    fc.assert(
      fc.property(arbitrary, (v) => {
        n++;
        property(v);
      }),
      { numRuns, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  } catch (err) {
    throw withCause(err);
  }
  casesRun.set(t.name, (casesRun.get(t.name) ?? 0) + n);
  t.diagnostic(`fuzz: ${n} cases`);
}

/** The async form of fuzz(), for properties that talk to a store. */
export async function fuzzAsync<T>(t: TestContext, arbitrary: fc.Arbitrary<T>, property: (value: T) => Promise<void>, runs: number): Promise<void> {
  const numRuns = runs * FUZZ_SCALE;
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (v) => {
        n++;
        await property(v);
      }),
      { numRuns, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  } catch (err) {
    throw withCause(err);
  }
  casesRun.set(t.name, (casesRun.get(t.name) ?? 0) + n);
  t.diagnostic(`fuzz: ${n} cases`);
}

/** fast-check's failure with the property's own assertion message appended (the test runner shows no cause). */
function withCause(err: unknown): unknown {
  const cause = (err as { cause?: unknown }).cause;
  if (err instanceof Error && cause instanceof Error) err.message += `\nCause: ${cause.message}`;
  return err;
}

/** Single characters and short sequences that attack a terminal, a viewer, a spreadsheet or a markup. */
export const ATTACKS = [
  '\u001b[2J', '\u001b]0;title\u0007', '\u001b]8;;https://evil.example/\u001b\\link\u001b]8;;\u001b\\', '\u009b31m', '\u0085', '\u0000', '\u0007', '\b', '\r', '\n', '\r\n', '\t', '\u007f',
  '\u202e', '\u202d', '\u2066', '\u2069', '\u200f', '\u061c', '\u2028', '\u2029', '\ufeff', '\u200b',
  '\ud800', '\udfff', '\ud83d\ude00',
  '=HYPERLINK("http://evil.example")', '+cmd|/c calc', '-2+3', '@SUM(A1)', '|', '%',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=1>', "'", '"', '`', '&amp;', '&#x3c;',
  '](http://evil.example)', '[x](javascript:alert(1))', '<!channel>', '<@U123>', '<http://evil.example|click>', '*bold*', '_it_', '~s~', '> quote', '# h',
  ']', '\\', '=', 'CEF:0|x|y|', '\\n', '${jndi:ldap://x}', "'; DROP TABLE events; --", '%s%n', '*', '?', '\\*',
  'Bcc: victim@example.com', 'X-Injected: yes',
];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A hostile string: attack sequences mixed with ordinary and arbitrary Unicode text, sometimes long. */
export function hostileString(options: { maxLength?: number; wellFormed?: boolean } = {}): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ATTACKS) },
    { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    { weight: 1, arbitrary: fc.integer({ min: Math.min(100, options.maxLength ?? 5000), max: options.maxLength ?? 5000 }).map((n) => 'A'.repeat(n)) },
  );
  const text = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
  const bounded = options.maxLength === undefined ? text : text.map((s) => s.slice(0, options.maxLength));
  return options.wellFormed ? bounded.map((s) => s.replace(LONE_SURROGATE, '\uFFFD')) : bounded;
}

/** JSON text nested `depth` levels deep (objects or arrays). */
export function nestedJson(depth: number, leaf = '1'): string {
  return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

/** A JSON value with hostile strings as keys and values, sometimes deeply nested. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString({ maxLength: 300 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString({ maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'Name', 'Value')), tie('value'), { maxKeys: 4 }),
  ),
})).value;
