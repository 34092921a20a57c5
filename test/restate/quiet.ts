/** The Restate SDK logs every invocation at INFO: test files import this first to keep warnings and errors only. */
process.env.RESTATE_LOGGING ??= 'WARN';
