/**
 * `echelon/sqlite` — the SQLite store, apart from the core so that organisations without it
 * never load `better-sqlite3` (an optional peer dependency: `npm install better-sqlite3`).
 */
export { sqliteStore, type SqliteStoreOptions } from './store/sqlite/store.js';
export { SCHEMA_VERSION, APPLICATION_ID } from './store/sqlite/schema.js';
