// Rule settings in DuckDB (rule_settings, rule_setting_changes, migration 600): the shared statements (state-rules.ts).

import type { RuleSettingsState } from '../../types.js';
import { ruleSettingsState } from '../../state-rules.js';
import { msCol, type StateDb } from './db.js';

export const duckdbRules = (db: StateDb): RuleSettingsState => ruleSettingsState(db, msCol);
