/** Imported before the SDK loads: the SDK's per-invocation INFO lines would drown the test output. */
process.env.RESTATE_LOGGING ??= 'WARN';
