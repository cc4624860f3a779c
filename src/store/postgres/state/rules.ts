// Rule settings in PostgreSQL (rule_settings, rule_setting_changes, migration 30): the shared statements (state-rules.ts).

import type { RuleSettingsState } from '../../types.js';
import { ruleSettingsState } from '../../state-rules.js';
import { msCol, type PgDb } from './db.js';

export const postgresRules = (db: PgDb): RuleSettingsState => ruleSettingsState(db, msCol);
