/**
 * Runs one benchmark job in a fresh process (started by bench/run.ts with --expose-gc) and
 * prints its result as one marked JSON line, so no job's garbage or JIT state leaks into the next.
 */
import { RESULT_MARK, runJob, type Job } from './jobs.js';

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const result = await runJob(job);
process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
