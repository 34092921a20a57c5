/**
 * The CLI's number flags take decimal digits, and only them: what Number() also reads (`1e3`,
 * `0x10`, `' 5 '`, `''`) is refused by the flag's own rule before anything is loaded.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';

/** The refusal of `echelon args…`; the files named do not exist, so only a flag's check can answer before loading. */
const refusal = (args: string[]) => main(args, { out: () => {}, input: process.stdin }).then(
  () => {
    throw new Error(`echelon ${args.join(' ')} was taken`);
  },
  (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
);

describe('the CLI’s number flags', () => {
  it('refuse what is not decimal digits, each by its own rule (before: 1e3, 0x10, " 5 " and "" were taken)', async () => {
    const hint = ' Run echelon --help for usage.';
    for (const text of ['1e3', '0x10', ' 5 ', '', '1.0', '+3', '0b1', '١٢']) {
      expect(await refusal(['run', 'no-such.ts', '--steps', text])).toEqual({ code: 'invalid_option', message: `--steps needs a whole number ≥ 1, got "${text}".${hint}` });
      expect(await refusal(['replay', 'no-such.db', '--steps', text])).toEqual({ code: 'invalid_option', message: `--steps needs a whole number ≥ 1, got "${text}".${hint}` });
      expect(await refusal(['simulate', 'no-such.ts', '--seed', text])).toEqual({ code: 'invalid_option', message: `--seed needs a whole number ≥ 0, got "${text}".${hint}` });
      expect(await refusal(['fork', 'no-such.db', 'to.db', '--at', text])).toEqual({ code: 'invalid_option', message: `--at needs a whole number ≥ 1, got "${text}".${hint}` });
      expect(await refusal(['step', 'no-such.ts', '--auto', text])).toEqual({ code: 'invalid_option', message: `--auto needs a whole number from 0 to 2147483647 (ms), got "${text}".${hint}` });
      expect(await refusal(['view', 'no-such.ts', '--port', text])).toEqual({ code: 'invalid_option', message: `--port needs a port from 0 to 65535, got "${text}".${hint}` });
    }
  });

  it('refuse a number past 2^53 − 1, where neighbouring whole numbers are one double', async () => {
    expect(await refusal(['simulate', 'no-such.ts', '--seed', '9007199254740993'])).toEqual({
      code: 'invalid_option',
      message: '--seed needs a whole number from 0 to 2^53 − 1, got "9007199254740993". Run echelon --help for usage.',
    });
  });

  it('take decimal digits, leading zeros too: the file is then looked for', async () => {
    expect(await refusal(['run', 'no-such.ts', '--steps', '007', '--auto', '0'])).toMatchObject({ code: 'invalid_scenario' });
    expect(await refusal(['simulate', 'no-such.ts', '--seed', '9007199254740991'])).toMatchObject({ code: 'invalid_scenario' });
    expect(await refusal(['view', 'no-such.ts', '--port', '65535'])).toMatchObject({ code: 'invalid_scenario' });
  });

  it("refuse a flag that its command would ignore here: replay --view's --steps / --auto / --compact, fork's --history without --at", async () => {
    const hint = ' Run echelon --help for usage.';
    // Before: the replay page was served and the stepping flags went unread; the fork copied the last write, the history unread (even one that does not exist).
    expect(await refusal(['replay', 'no-such.db', '--view', '--steps', '5'])).toEqual({ code: 'invalid_option', message: `--steps is for stepping in the terminal: the replay page (--view) takes none.${hint}` });
    expect(await refusal(['replay', 'no-such.db', '--view', '--auto', '10', '--compact'])).toEqual({ code: 'invalid_option', message: `--auto, --compact are for stepping in the terminal: the replay page (--view) takes none.${hint}` });
    expect(await refusal(['fork', 'no-such.db', 'to.db', '--history', 'no-such.jsonl'])).toEqual({ code: 'invalid_option', message: `--history is read only to fork at an earlier entry: add --at <seq>, or drop --history to fork the last write.${hint}` });
    // With what they go with, they reach the file.
    expect(await refusal(['replay', 'no-such.db', '--view', '--task', 't1'])).toEqual({ code: 'invalid_option', message: 'No file no-such.db to replay.' });
    expect(await refusal(['fork', 'no-such.db', 'to.db', '--at', '3', '--history', 'h.jsonl'])).toEqual({ code: 'invalid_option', message: 'No file no-such.db to fork.' });
  });

  it('name the command meant by an unknown one: a slip, or a file given without a command', async () => {
    const hint = ' Run echelon --help for usage.';
    expect(await refusal(['simualte', 'x.ts'])).toEqual({ code: 'invalid_option', message: `Unknown command "simualte": did you mean "simulate"?${hint}` });
    expect(await refusal(['examples/dev-team.ts'])).toEqual({ code: 'invalid_option', message: `Unknown command "examples/dev-team.ts": name one before the file, e.g. echelon run examples/dev-team.ts.${hint}` });
    expect(await refusal(['frobnicate'])).toEqual({ code: 'invalid_option', message: `Unknown command "frobnicate".${hint}` });
  });
});
