#!/usr/bin/env node
/**
 * Makes sure the live view's browser test has a browser before `npm test` runs: Debian's
 * Chromium at /usr/bin/chromium (or CHROMIUM_PATH). Missing, it is installed with apt when this
 * machine allows it (root, or passwordless sudo); otherwise this says what to install and the
 * browser test will fail with the same advice. Never downloads a browser of its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const browser = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(browser)) process.exit(0);

const can = (command, args) => {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && can('sudo', ['-n', 'true']);
if (process.env.CHROMIUM_PATH === undefined && can('apt-get', ['--version']) && (root || sudo)) {
  console.log('The browser test needs Chromium: installing Debian\'s chromium with apt…');
  const run = (args) => execFileSync(sudo ? 'sudo' : 'apt-get', sudo ? ['-n', 'apt-get', ...args] : args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['update']);
    run(['install', '-y', '--no-install-recommends', 'chromium']);
    process.exit(0);
  } catch {
    console.warn('Installing chromium with apt failed.');
  }
}
console.warn(`The live view's browser test needs Chromium at ${browser}: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH.`);
