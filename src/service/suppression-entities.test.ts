// A suppression made from an alert (the dashboard's and the CLI's bulk "suppress") names the alert's
// entity values exactly: a value from the log that holds `*` or a backslash matches only itself.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globMatch } from '../alerts/index.js';
import { suppressionEntities } from './local.js';

test('suppression entities from an alert: the first entity kind, values escaped so a logged `*` is no wildcard', () => {
  const specs = suppressionEntities({ files: ['*', 'C:\\*.txt', 'NT AUTHORITY\\SYSTEM'] });
  assert.deepEqual(specs, ['files:\\*', 'files:C:\\\\\\*.txt', 'files:NT AUTHORITY\\\\SYSTEM']);
  const value = (spec: string) => spec.slice('files:'.length);
  assert.equal(globMatch(value(specs[0]!), '*'), true);
  assert.equal(globMatch(value(specs[0]!), 'payroll.xlsx'), false, 'the file named * does not stand for every file');
  assert.equal(globMatch(value(specs[1]!), 'c:\\*.txt'), true);
  assert.equal(globMatch(value(specs[1]!), 'C:\\secret.txt'), false);
  assert.equal(globMatch(value(specs[2]!), 'NT AUTHORITY\\SYSTEM'), true);
  assert.deepEqual(suppressionEntities({}), [], 'no entity: the rule and tenant alone');
});
