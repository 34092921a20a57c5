/**
 * The organisation the Restate bench cases serve, one module for every process: the development
 * team doing the bench's trivial work (the same executor as every other system in the bench).
 */
import { developmentTeam } from '../src/index.js';
import type { RestateOrganisationOptions } from '../src/restate/index.js';
import { work } from './workload.js';

export default function organisation(): RestateOrganisationOptions {
  return { name: 'bench', hierarchy: developmentTeam(), executors: async (task, { agent }) => work(task.type, agent.id) };
}
