// Tests of the import parsers on real files in a temp dir: NDJSON, JSON arrays and the Purview CSV
// export, with bad lines that must give rejections with line numbers and never stop the import.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { detectFormat, readImport, type ImportItem } from './import.js';
import { normalize } from './normalize.js';
import { UAL_EXAMPLES } from './testdata/ual-examples.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'auditwatch-import-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXAMPLES = Object.values(UAL_EXAMPLES);

async function readFile(name: string, content: string | Buffer, highWaterMark = 64 * 1024): Promise<ImportItem[]> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  const items: ImportItem[] = [];
  for await (const item of readImport(createReadStream(file, { highWaterMark }), name)) items.push(item);
  return items;
}

function ids(items: ImportItem[]): string[] {
  return items.flatMap((i) => ('record' in i ? [String((i.record as { Id: unknown }).Id)] : []));
}

function rejections(items: ImportItem[]): Array<{ line: number; reason: string }> {
  return items.flatMap((i) => ('rejection' in i ? [{ line: i.line, reason: i.rejection.reason }] : []));
}

const exampleIds = EXAMPLES.map((t) => String((JSON.parse(t) as { Id: string }).Id));

function csvQuote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

test('format detection', () => {
  assert.equal(detectFormat('\uFEFF  {"Id":1}'), 'ndjson');
  assert.equal(detectFormat('\n[ {'), 'json-array');
  assert.equal(detectFormat('CreationDate,UserIds'), 'csv');
  assert.equal(detectFormat(' \n '), 'empty');
});

test('NDJSON: records in order, a bad line rejected with its number, CRLF, blank lines and a BOM tolerated', async () => {
  const lines = [EXAMPLES[0], '', EXAMPLES[1], '{"Id": "broken', EXAMPLES[2], '42', `[${EXAMPLES[3]},${EXAMPLES[4]}]`, EXAMPLES[5]];
  for (const hwm of [7, 64 * 1024]) {
    const items = await readFile(`a-${hwm}.ndjson`, `\uFEFF${lines.join('\r\n')}\r\n`, hwm);
    assert.deepEqual(ids(items), exampleIds.slice(0, 6));
    const bad = rejections(items);
    assert.equal(bad.length, 2);
    assert.equal(bad[0]!.line, 4);
    assert.match(bad[0]!.reason, /^a-\d+\.ndjson: line 4: not valid JSON/);
    assert.equal(bad[1]!.line, 6);
    assert.match(bad[1]!.reason, /line 6: the record is a number, not a JSON object/);
    assert.deepEqual(items.filter((i) => 'record' in i).map((i) => i.line), [1, 3, 5, 7, 7, 8]);
  }
});

test('NDJSON records normalise with their raw kept', async () => {
  const items = await readFile('b.ndjson', EXAMPLES.join('\n'));
  for (const item of items) {
    assert.ok('record' in item);
    const r = normalize(item.record, { tenantId: 't', contentType: null, sourceId: 'import:b.ndjson' });
    assert.ok(r.ok);
    assert.deepEqual(JSON.parse(r.row.raw), item.record);
  }
});

test('JSON array: pretty-printed, large, read in tiny chunks; several arrays (saved blobs) back to back', async () => {
  const records = Array.from({ length: 3000 }, (_, i) => ({ ...(JSON.parse(EXAMPLES[i % EXAMPLES.length]!) as object), Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, Note: 'a "quoted" ] } [ { \\ value\n' }));
  for (const [hwm, count] of [[5, 60], [997, 3000]] as const) {
    const items = await readFile(`big-${hwm}.json`, JSON.stringify(records.slice(0, count), null, 2), hwm);
    assert.equal(rejections(items).length, 0);
    assert.equal(items.length, count);
    assert.deepEqual((items[count - 1] as { record: unknown }).record, records[count - 1]);
  }
  const blobs = `[${EXAMPLES.slice(0, 3).join(',')}]\n[${EXAMPLES.slice(3).join(',')}]\n`;
  const items = await readFile('blobs.json', blobs, 11);
  assert.deepEqual(ids(items), exampleIds);
  assert.deepEqual(items.map((i) => i.line), [1, 1, 1, 2, 2, 2, 2, 2, 2]);
});

test('JSON array: non-object elements and a truncated file give rejections, good records still come', async () => {
  const text = `[\n${EXAMPLES[0]},\n17,\n"text",\nnull,\n${EXAMPLES[1]},\n{"Id": "cut`;
  const items = await readFile('cut.json', text, 13);
  assert.deepEqual(ids(items), exampleIds.slice(0, 2));
  const bad = rejections(items);
  assert.deepEqual(bad.map((b) => b.line), [3, 4, 5, 7]);
  assert.match(bad[0]!.reason, /a number, not a JSON object/);
  assert.match(bad[3]!.reason, /ends inside a record/);
  const open = await readFile('open.json', `[${EXAMPLES[0]},`);
  assert.equal(ids(open).length, 1);
  assert.match(rejections(open)[0]!.reason, /before the JSON array is closed/);
  const rawNewline = await readFile('newline.json', `[{"Id": "a\nb"},\n${EXAMPLES[2]}]`, 3);
  assert.deepEqual(ids(rawNewline), [exampleIds[2]]);
  assert.deepEqual(rawNewline.map((i) => i.line), [1, 3]);
  const invalid = await readFile('invalid.json', `[{"Id": tru}, ${EXAMPLES[2]}]`);
  assert.deepEqual(ids(invalid), [exampleIds[2]]);
  assert.match(rejections(invalid)[0]!.reason, /line 1: not valid JSON/);
});

test('Purview CSV: quoted multi-line AuditData with "" escapes, BOM, CRLF; bad rows rejected with their line', async () => {
  const header = 'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames';
  const rows = [header];
  const pretty = JSON.stringify(JSON.parse(EXAMPLES[0]!), null, 2);
  rows.push(`1,2020-02-10T15:13:13.0000000Z,15,UserLoggedIn,asr@testsiem.onmicrosoft.com,${csvQuote(pretty)},,`);
  rows.push(`2,2020-02-10T15:13:13.0000000Z,8,"Add member to role.","admin@contoso.com",${csvQuote(EXAMPLES[1]!)},"a,b",`);
  rows.push('3,2020-02-10,1,Op,u,"{""Id"": not json}",,');
  rows.push('4,2020-02-10,1,Op,u,,,');
  rows.push(header); // concatenated exports repeat the header
  rows.push(`5,2020-02-10,1,Op,u,${csvQuote(EXAMPLES[2]!)}`);
  const content = `\uFEFF${rows.join('\r\n')}\r\n\r\n`;
  for (const hwm of [29, 64 * 1024]) {
    const items = await readFile(`export-${hwm}.csv`, content, hwm);
    assert.deepEqual(ids(items), exampleIds.slice(0, 3));
    const prettyLines = pretty.split('\n').length;
    assert.deepEqual(items.filter((i) => 'record' in i).map((i) => i.line), [2, 2 + prettyLines, 6 + prettyLines]);
    const bad = rejections(items);
    assert.deepEqual(bad.map((b) => b.line), [3 + prettyLines, 4 + prettyLines]);
    assert.match(bad[0]!.reason, /not valid JSON/);
    assert.match(bad[1]!.reason, /no AuditData value/);
  }
});

test('old Purview CSV header and LF line ends; a CSV without AuditData is refused once', async () => {
  const old = `CreationDate,UserIds,Operations,AuditData\n2020-02-17T16:59:44,asr@testsiem.onmicrosoft.com,MemberAdded,${csvQuote(UAL_EXAMPLES.teamsMemberAdded)}`;
  const items = await readFile('old.csv', old);
  assert.deepEqual(ids(items), ['3350cfd2-1020-5b11-99d8-2701f3a29ea3']);
  const wrong = await readFile('wrong.csv', 'a,b,c\n1,2,3\n4,5,6\n');
  assert.equal(wrong.length, 1);
  assert.match(rejections(wrong)[0]!.reason, /no AuditData column/);
  const unclosed = await readFile('unclosed.csv', `AuditData\n${csvQuote(EXAMPLES[0]!)}\n"{"Id`);
  assert.deepEqual(ids(unclosed), [exampleIds[0]]);
  assert.equal(rejections(unclosed).length, 1);
});

test('empty files give nothing; hostile file names stay on one line', async () => {
  assert.deepEqual(await readFile('empty.json', ''), []);
  assert.deepEqual(await readFile('blank.json', '\n \n'), []);
  const items = await readFile('x\ny.ndjson', '{bad\n');
  assert.ok(!/[\r\n]/.test(rejections(items)[0]!.reason));
});
