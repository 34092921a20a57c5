/**
 * The organisation's time, never going back. The system clock steps backwards (NTP correcting
 * it, a VM restored, someone setting the date), and every time the organisation records — a
 * task's submittedAt and settledAt, a budget's time used, an approval's requestedAt and
 * decidedAt, the journal's `at` — is a reading of it: after an hour's step back, an outcome took
 * −3,599,935 ms and a budget of 60 s had 3,659,935 ms left. Read through this, a step back holds
 * the time where it was until the clock passes it again; a step forward shows as time that
 * passed (a suspended VM's time did pass), while the timers, on Node's monotonic clock, wait
 * their delays as set.
 */

/** `read`, never answering less than it answered before. */
export function steadyClock(read: () => number): () => number {
  let last = -Infinity;
  return () => {
    const now = read();
    if (now > last) last = now;
    return last;
  };
}
