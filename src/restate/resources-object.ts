/**
 * The organisation's resource claims on Restate: one virtual object (the in-process registry's
 * logic, restored from its state per message) that agents claim and release through, and that
 * wakes agents waiting for what was released. Agents read the claims before handling a message
 * that puts a task with declared resources before them; organisations without resources never
 * touch it.
 */
import './polyfill.js';
import { handlers, object, type ObjectContext, type ObjectSharedContext } from '@restatedev/restate-sdk';
import type { ResourceClaim } from '../escalation/types.js';
import { ResourceRegistry } from '../runtime/resources.js';
import type { ResourceState } from '../store/types.js';
import type { Task } from '../types.js';
import type { RestateLayout } from './layout.js';
import { INTERNAL, sendAgent } from './send.js';

/** The one key of the resources object. */
export const RESOURCES_KEY = 'claims';
const STATE = 'registry';

async function withRegistry(ctx: ObjectContext, layout: RestateLayout, change: (registry: ResourceRegistry) => void): Promise<void> {
  let changed = false;
  const registry = new ResourceRegistry(
    (agentId, resources) => sendAgent(ctx, layout, agentId, { type: 'echelon.released', resources }),
    () => {
      changed = true;
    },
  );
  const state = await ctx.get<ResourceState>(STATE);
  if (state !== null) registry.restore(state);
  change(registry);
  if (changed) ctx.set(STATE, registry.state());
}

/** The resources object of an organisation. */
export function resourcesObject(layout: RestateLayout) {
  return object({
    name: layout.resources,
    options: INTERNAL,
    handlers: {
      claim: (ctx: ObjectContext, { agentId, task }: { agentId: string; task: Task }) => withRegistry(ctx, layout, (registry) => registry.claim(agentId, task)),
      release: (ctx: ObjectContext, { taskId }: { taskId: string }) => withRegistry(ctx, layout, (registry) => registry.release(taskId)),
      wait: (ctx: ObjectContext, { agentId, resources }: { agentId: string; resources: readonly string[] }) => withRegistry(ctx, layout, (registry) => registry.wait(agentId, resources)),
      claims: handlers.object.shared(async (ctx: ObjectSharedContext): Promise<readonly ResourceClaim[]> => (await ctx.get<ResourceState>(STATE))?.claims ?? []),
    },
  });
}
