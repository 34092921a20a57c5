/**
 * A project of a user's own with echelon installed as a package: the build (`tsconfig.build.json`)
 * in `node_modules/echelon` beside the package.json, and the dependencies and peers it is given
 * linked from this repository's `node_modules` (offline, and only those: nothing above the project
 * has a `node_modules`, so a peer it was not given is missing there as it would be for a user).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const run = promisify(execFile);

/** What a child process left: its exit code and output. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An installed project: where it is, how to run a command in it, and how to remove it. */
export interface InstalledProject {
  readonly dir: string;
  /** Writes `text` at `path` (relative to the project), making its folders. */
  write(path: string, text: string): void;
  /** Runs `node args…` in the project; resolves with the exit code and output, whatever the code. */
  node(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Ran>;
  /** Runs the repository's TypeScript compiler on `tsconfig` in the project. */
  tsc(tsconfig: string): Promise<Ran>;
  remove(): void;
}

let built: Promise<string> | undefined;

/** The package's build, made once per test file until {@link removeBuild}. */
function build(): Promise<string> {
  built ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'echelon-installed-build-'));
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT });
    return out;
  })();
  return built;
}

/** Removes the build the file's projects were installed from (call it in `afterAll`). */
export async function removeBuild(): Promise<void> {
  const out = await built?.catch(() => undefined);
  built = undefined;
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
}

/** Installs the package's build, with `links` (package names in this repository's node_modules), into a new project with `packageJson`. */
export async function installedProject(links: readonly string[], packageJson: Record<string, unknown> = { name: 'user-project', private: true, type: 'module' }): Promise<InstalledProject> {
  // Somewhere with no node_modules above it (a shared /tmp may have one).
  const dir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'echelon-installed-'));
  const installed = join(dir, 'node_modules', 'echelon');
  cpSync(await build(), join(installed, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(installed, 'package.json'));
  for (const name of ['xstate', 'nanoid', ...links]) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('package.json', `${JSON.stringify(packageJson, null, 2)}\n`);
  const settle = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Ran> =>
    run(process.execPath, [...args], { cwd: dir, env: { ...process.env, ...env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (thrown: { code: number; stdout: string; stderr: string }) => ({ code: thrown.code, stdout: thrown.stdout, stderr: thrown.stderr }),
    );
  return {
    dir,
    write,
    node: settle,
    tsc: (tsconfig) => settle([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig]),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
