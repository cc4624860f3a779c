// Migrations for identities and detection state (versions 200-299).
import type { Migration } from './index.js';

export const detectMigrations: Migration[] = [];
