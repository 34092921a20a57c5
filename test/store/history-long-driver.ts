/**
 * The child process of the long-history test, run in a small heap: claims a store through its
 * history (`keepHistory`), which catches the history up, or forks it at an early entry; prints
 * what it did as JSON on stdout.
 *
 * Usage: node --max-old-space-size=64 --import tsx test/store/history-long-driver.ts <claim | fork> <db> <history>
 */
import { keepHistory, memoryStore } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { forkStore, storeHolder } from '../../src/store/index.js';

const [what, db, history] = process.argv.slice(2) as [string, string, string];
const store = sqliteStore(db);
if (what === 'fork') {
  console.log(JSON.stringify(forkStore(store, memoryStore(), { at: 5, history })));
} else {
  const holder = storeHolder();
  const kept = keepHistory(store, history);
  kept.lock(holder);
  kept.unlock(holder);
  console.log(JSON.stringify({ claimed: true }));
}
store.close();
