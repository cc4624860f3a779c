// Migrations for alerts, workflow history, suppressions, outbox (versions 300-399).
import type { Migration } from './index.js';

export const alertMigrations: Migration[] = [];
