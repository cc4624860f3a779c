// Fuzzing the normaliser: random JSON values, truncated and corrupted JSON text, huge strings,
// prototype-pollution keys, deep nesting and wrong types for every field. It must never throw, every
// rejection must carry a one-line reason, and every accepted row must be well-formed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../core/index.js';
import { fuzz, hostileJson } from '../core/fuzz.testing.js';
import { normalize, REJECTION_RAW_MAX } from './normalize.js';
import { UAL_EXAMPLES } from './testdata/ual-examples.js';
import type { NormalizeResult, RecordSource } from './types.js';

const SOURCE: RecordSource = { tenantId: 't1', contentType: 'Audit.General', sourceId: 'fuzz' };
const FIELDS = [
  'Id', 'CreationTime', 'RecordType', 'UserType', 'LogonType', 'Operation', 'Workload', 'OrganizationId', 'UserId',
  'UserKey', 'ClientIP', 'ClientIPAddress', 'ActorIpAddress', 'ResultStatus', 'ObjectId', 'ApplicationId', 'AppId',
  'ClientAppId', 'AppAccessContext', 'ErrorNumber', 'ErrorCode', 'LogonError', 'UserAgent', 'ClientInfoString', 'SiteUrl',
  'SourceFileName', 'SourceFileExtension', 'MailboxOwnerUPN', 'MailboxGuid', 'Parameters', 'ExtendedProperties',
  'OperationProperties', 'DeviceProperties', 'ModifiedProperties',
];

function check(result: NormalizeResult, label: string): void {
  if (result.ok) {
    const r = result.row;
    assert.equal(typeof r.id, 'string', label);
    assert.ok(r.id.length > 0, label);
    assert.ok(Number.isFinite(r.creationTime), label);
    assert.ok(Number.isInteger(r.recordType), label);
    assert.equal(typeof r.raw, 'string', label);
    assert.ok(r.clientIp === null || typeof r.clientIp === 'string', label);
    for (const map of [r.parameters, r.extendedProperties, r.operationProperties, r.deviceProperties]) {
      assert.equal(Object.getPrototypeOf(map), Object.prototype, label);
      for (const v of Object.values(map)) assert.equal(typeof v, 'string', label);
    }
    JSON.stringify(r);
  } else {
    const { reason, raw } = result.rejection;
    assert.equal(typeof reason, 'string', label);
    assert.ok(reason.length > 0 && reason.length <= 300, `${label}: reason length ${reason.length}`);
    assert.ok(!/[\r\n]/.test(reason), `${label}: reason on one line`);
    assert.equal(typeof raw, 'string', label);
    assert.ok(raw.length <= REJECTION_RAW_MAX, label);
  }
}

function randomValue(rng: Rng, depth: number): unknown {
  switch (rng.int(0, depth > 3 ? 6 : 9)) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick([0, -1, 1.5, 1e308, -0, 15, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER]);
    case 3: return rng.pick(['', ' ', '15', '2020-02-10T15:13:13', '::ffff:1.2.3.4', '[::1]:80', '-Name "x', '[{"Name":', '{"a":1}', '\u0000\u202e', '__proto__']);
    case 4: return rng.guid();
    case 5: return 'x'.repeat(rng.int(0, 300));
    case 6: return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth + 1));
    case 7: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(0, 4); i > 0; i--) o[rng.pick(['Name', 'Value', 'OldValue', 'NewValue', 'Key', '__proto__', 'constructor', 'x'])] = randomValue(rng, depth + 1);
      return o;
    }
    default: return [{ Name: randomValue(rng, depth + 1), Value: randomValue(rng, depth + 1) }];
  }
}

test('random JSON values and records with every field of a wrong type never crash it', () => {
  const rng = new Rng('normalize-fuzz');
  const bases = Object.values(UAL_EXAMPLES).map((t) => JSON.parse(t) as Record<string, unknown>);
  for (let i = 0; i < 3000; i++) {
    const value = randomValue(rng, 0);
    check(normalize(value, SOURCE), `value ${i}`);
    check(normalize(JSON.stringify(value) ?? 'undefined', SOURCE), `text ${i}`);
    const record = { ...rng.pick(bases) };
    for (let k = rng.int(1, 6); k > 0; k--) record[rng.pick(FIELDS)] = randomValue(rng, 1);
    check(normalize(record, SOURCE), `record ${i}`);
  }
});

test('wrong types for each field one at a time: required ones reject with a reason, others still normalise', () => {
  const base = JSON.parse(UAL_EXAMPLES.mailItemsAccessed) as Record<string, unknown>;
  const wrong: unknown[] = [null, true, 12, -3.5, '', 'x', [], [1, 'a'], {}, { a: { b: [] } }, [{ Name: {}, Value: {} }]];
  for (const field of FIELDS) {
    for (const value of wrong) {
      const result = normalize({ ...base, [field]: value }, SOURCE);
      check(result, `${field}=${JSON.stringify(value)}`);
      if (!['Id', 'CreationTime', 'RecordType'].includes(field)) assert.ok(result.ok, `${field}=${JSON.stringify(value)}`);
    }
  }
});

test('truncated and corrupted JSON text is rejected with a reason', () => {
  const rng = new Rng('truncate');
  for (const text of Object.values(UAL_EXAMPLES)) {
    for (let i = 0; i < 40; i++) {
      const cut = text.slice(0, rng.int(0, text.length - 1));
      const result = normalize(cut, SOURCE);
      check(result, `cut ${cut.length}`);
      assert.equal(result.ok, false);
      const pos = rng.int(0, text.length);
      check(normalize(text.slice(0, pos) + rng.pick(['"', '}', '\u0000', '\\', ',,', 'ÿ']) + text.slice(pos), SOURCE), 'corrupt');
    }
  }
});

test('huge strings: accepted rows keep raw whole; rejections are bounded', () => {
  const huge = 'A'.repeat(3 * 1024 * 1024);
  const base = JSON.parse(UAL_EXAMPLES.fileUploaded) as Record<string, unknown>;
  const ok = normalize({ ...base, UserAgent: huge, Parameters: huge, ClientIP: huge }, SOURCE);
  check(ok, 'huge accepted');
  assert.ok(ok.ok && ok.row.raw.length > huge.length && ok.row.clientIp === null);
  const bad = normalize({ ...base, Id: huge }, SOURCE);
  check(bad, 'huge rejected');
  assert.equal(bad.ok, false);
  const badText = normalize(`{"Id": "${huge}`, SOURCE);
  check(badText, 'huge truncated text');
  assert.ok(!badText.ok && badText.rejection.raw.length === REJECTION_RAW_MAX);
});

test('prototype-pollution keys do not pollute and land as plain own properties', () => {
  const text = UAL_EXAMPLES.addMailboxPermission.replace(
    '"Parameters":[',
    '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"Parameters":[{"Name":"__proto__","Value":"p"},{"Name":"constructor","Value":"c"},{"Name":"hasOwnProperty","Value":"h"},',
  );
  const result = normalize(text, SOURCE);
  check(result, 'proto');
  assert.ok(result.ok);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(result.row.parameters), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(result.row.parameters, '__proto__')?.value, 'p');
  assert.equal(result.row.parameters.constructor, 'c' as unknown);
  assert.deepEqual(Object.keys(result.row.parameters).slice(0, 3), ['__proto__', 'constructor', 'hasOwnProperty']);
  assert.equal(JSON.parse(JSON.stringify(result.row.parameters)).__proto__, 'p');
  const objectWithProtoId = normalize(JSON.parse('{"__proto__":{"Id":"x"},"CreationTime":"2020-01-01T00:00:00","RecordType":1}'), SOURCE);
  assert.equal(objectWithProtoId.ok, false, 'an inherited-looking Id is not the record\'s Id');
});

test('deep nesting, cycles, getters that throw and non-JSON values', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const base = JSON.parse(UAL_EXAMPLES.stsLogon) as Record<string, unknown>;
  check(normalize({ ...base, ExtendedProperties: deep, Parameters: [{ Name: 'x', Value: deep }] }, SOURCE), 'deep');
  const deepText = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
  check(normalize(deepText, SOURCE), 'deep text');
  const cyclic: Record<string, unknown> = { ...base };
  cyclic.self = cyclic;
  const c = normalize(cyclic, SOURCE);
  check(c, 'cycle');
  assert.equal(c.ok, false);
  const trap = { ...base };
  Object.defineProperty(trap, 'UserId', { enumerable: true, get() { throw new Error('boom\nsecond line'); } });
  const t = normalize(trap, SOURCE);
  check(t, 'getter');
  assert.equal(t.ok, false);
  check(normalize({ ...base, Parameters: [{ Name: 'n', Value: 10n }] }, SOURCE), 'bigint');
  check(normalize(Symbol('s'), SOURCE), 'symbol');
  check(normalize(() => 1, SOURCE), 'function');
  check(normalize(undefined, SOURCE), 'undefined');
  check(normalize(10n, SOURCE), 'bigint input');
});

// fast-check properties: the same guarantees over generated hostile values, with shrinking to a minimal
// failing record and a replayable seed (`npm run fuzz` runs them 50 times longer).
test('property: any hostile record or text, as a value or as JSON text, is accepted or rejected with its text', (t) => {
  const base = Object.values(UAL_EXAMPLES).map((s) => JSON.parse(s) as Record<string, unknown>);
  const input = fc.oneof(
    hostileJson,
    fc.tuple(fc.constantFrom(...base), fc.dictionary(fc.constantFrom(...FIELDS), hostileJson, { maxKeys: 4 })).map(([b, over]) => ({ ...b, ...over })),
  );
  fuzz(t, fc.tuple(input, fc.boolean()), ([value, asText]) => {
    const text = JSON.stringify(value) ?? 'null';
    const result = normalize(asText ? text : value, SOURCE);
    check(result, text.slice(0, 100));
    if (!result.ok && asText) assert.equal(result.rejection.raw, text.slice(0, REJECTION_RAW_MAX), 'a rejection keeps the text it was given');
  }, 400);
});
