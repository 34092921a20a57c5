/** How actors send each other messages: at once, or through the system clock when stepping. */
import type { AgentEnvironment } from './environment.js';

/** Send options for messages between actors: through the clock when the environment asks for it. */
export function delivery(env: Pick<AgentEnvironment, 'messageDelayMs'>): { delay?: number } {
  return env.messageDelayMs === undefined ? {} : { delay: env.messageDelayMs };
}
