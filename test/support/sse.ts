/** Server-Sent Events read frame by frame, as a page's EventSource reads them (the live view's `/api/events`). */

/**
 * Reads `response`'s frames into `frames`; `until(predicate)` reads on until the predicate holds (one
 * buffer for every wait: a frame half read when one wait ends is finished by the next).
 */
export function sseFrames<T = unknown>(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Array<{ event: string; data: T }> = [];
  let buffer = '';
  const until = async (predicate: () => boolean) => {
    while (!predicate()) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
      const parts = buffer.split('\n\n');
      buffer = parts.pop()!;
      for (const part of parts) {
        const event = /^event: (.+)$/m.exec(part)?.[1];
        const data = /^data: (.+)$/m.exec(part)?.[1];
        if (event !== undefined && data !== undefined) frames.push({ event, data: JSON.parse(data) as T });
      }
    }
  };
  return { frames, until, cancel: () => reader.cancel() };
}
