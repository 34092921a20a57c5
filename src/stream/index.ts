/**
 * Streaming: executors' progress, tagged with where in the organisation it happened, to whoever
 * follows a task (`org.stream`, `submit(task, { onProgress })`) or watches them all
 * (`org.onProgress`); bounded buffers for slow readers. Progress is not persisted.
 */
export { checkProgress, StreamHub, type Follower, type HubOptions, type ProgressSource } from './hub.js';
export { StreamQueue } from './queue.js';
export { DEFAULT_STREAM_BUFFER, type ProgressEvent, type StreamDropped, type TaskStreamOptions } from './types.js';
