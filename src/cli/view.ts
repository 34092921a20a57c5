/**
 * `echelon view <scenario>`: runs the scenario at a pace people can follow and serves the live
 * view of it. When the scenario waits for a decision, it waits for someone to make it on the
 * page; once it is over the page stays up until Ctrl-C (or exits with `--exit-when-done`).
 */
import { randomUUID } from 'node:crypto';
import { formatDelivery } from './format.js';
import { loadScenario, scenarioFailure } from './load.js';
import { isLoopback } from '../inspect/options.js';
import { serveLiveView } from '../inspect/server.js';
import { createStepper } from '../scenario/stepper.js';

export interface ViewCommandOptions {
  readonly file: string;
  readonly port: number;
  readonly host: string;
  readonly token?: string;
  /** Real time between messages, so the page shows them moving. */
  readonly autoMs: number;
  readonly exitWhenDone: boolean;
  readonly out: (line: string) => void;
  /** Resolves when the user asks to quit (Ctrl-C). */
  readonly interrupted: Promise<void>;
}

export async function viewCommand(options: ViewCommandOptions): Promise<number> {
  const { out } = options;
  const scenario = await loadScenario(options.file);
  out(`scenario ${options.file}: ${scenario.description}`);
  // Reachable from other machines: never without a token, so make one when none is given.
  const token = options.token ?? (isLoopback(options.host) ? undefined : randomUUID());
  const stepper = await createStepper(scenario, {
    log: (line) => out(`» ${line}`),
    waitForPeople: true,
    // Served before the scenario starts, so the page's event list begins at the beginning.
    prepare: async (org) => {
      const view = await serveLiveView(org, { port: options.port, host: options.host, ...(token === undefined ? {} : { token }) });
      out(`live view: ${view.url}`);
    },
  });
  let quit = false;
  let wake = () => {};
  void options.interrupted.then(() => {
    quit = true;
    wake();
  });
  /** `promise`'s value, or undefined at once on Ctrl-C: one reaction on the interruption for the whole view, where a race per step left one more each step. */
  const unlessInterrupted = <T>(promise: Promise<T>): Promise<T | undefined> =>
    quit
      ? Promise.resolve(undefined)
      : new Promise<T | undefined>((resolve, reject) => {
          wake = () => resolve(undefined);
          promise.then(resolve, reject);
        });
  try {
    while (!quit) {
      await unlessInterrupted(new Promise((resolve) => setTimeout(resolve, options.autoMs)));
      if (quit) break;
      const stepping = stepper.step().catch((error: unknown) => Promise.reject(scenarioFailure(error, options.file)));
      stepping.catch(() => {}); // if Ctrl-C comes first, stopping may fail the step: nobody waits for it then
      const step = await unlessInterrupted(stepping);
      if (step === undefined) break;
      for (const delivery of step.deliveries) out(formatDelivery(delivery)[0]!);
    }
    if (!quit) {
      const status = stepper.org.status();
      out(`the scenario is over: ${status.activeTasks} active tasks, ${status.pendingApprovals} pending approvals`);
      if (!options.exitWhenDone) {
        out('the live view stays up; Ctrl-C to quit');
        await options.interrupted;
      }
    }
    return 0;
  } finally {
    await stepper.close();
  }
}
