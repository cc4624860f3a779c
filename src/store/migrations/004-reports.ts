// Migrations for report runs and schedules (versions 400-499).
import type { Migration } from './index.js';

export const reportMigrations: Migration[] = [];
