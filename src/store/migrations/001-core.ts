// Migrations for events, blob ledger, cursors, gaps, dead letters (versions 100-199).
import type { Migration } from './index.js';

export const coreMigrations: Migration[] = [];
