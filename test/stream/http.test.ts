import { get, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { serveLiveView } from '../../src/inspect/index.js';
import { deferred, flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });
const TOKEN = 'a-token-long-enough-to-count';

/** Reads a Server-Sent Events response to its end: each event's name and parsed data. */
async function readEvents(response: Response): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const text = await response.text();
  return text
    .split('\n\n')
    .map((frame) => frame.split('\n'))
    .filter((lines) => lines.some((line) => line.startsWith('data: ')))
    .map((lines) => ({
      event: lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message',
      data: JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice(6)) as Record<string, unknown>,
    }));
}

describe('GET /api/tasks/:id/stream', () => {
  it('streams a task as Server-Sent Events to its end: progress, lifecycle summaries, the outcome, then end', async () => {
    const go = deferred();
    const org = start({
      executors: async (_task, { progress }) => {
        await go.promise;
        progress('half');
        progress({ percent: 100 });
        return 'built';
      },
    });
    const view = await serveLiveView(org);
    const outcome = org.submit({ id: 'build', type: 'python' });
    await flush();
    const response = await fetch(`${view.url}api/tasks/build/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    go.resolve(undefined);
    const events = await readEvents(response);
    expect(events.map((event) => event.event)).toEqual(['task.progress', 'task.progress', 'task.completed', 'end']);
    expect(events[0]!.data).toMatchObject({ taskId: 'build', agent: 'backend_dev_1', attempt: 1, path: ['build'], seq: 1, data: 'half' });
    expect(events[2]!.data).toMatchObject({ type: 'task.completed', taskId: 'build', outcome: { status: 'completed', result: 'built' } });
    expect((await outcome).status).toBe('completed');
    // A finished task: its outcome, then end.
    expect((await readEvents(await fetch(`${view.url}api/tasks/build/stream`))).map((event) => event.event)).toEqual(['task.completed', 'end']);
  });

  it('answers an unknown task with 404, and keeps the token rule of every read', async () => {
    const org = start({ executors: () => 'done' });
    const open = await serveLiveView(org);
    const unknown = await fetch(`${open.url}api/tasks/nope/stream`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_task');

    const guarded = await serveLiveView(org, { token: TOKEN });
    await org.submit({ id: 'done', type: 'css' });
    const base = `http://127.0.0.1:${guarded.port}`;
    expect((await fetch(`${base}/api/tasks/done/stream`)).status).toBe(401);
    const allowed = await fetch(`${base}/api/tasks/done/stream`, { headers: { 'x-echelon-token': TOKEN } });
    expect((await readEvents(allowed)).map((event) => event.event)).toEqual(['task.completed', 'end']);
  });

  it('a client may leave at any time; org.stop() ends the streams of those still reading', async () => {
    const org = start({ executors: () => new Promise(() => undefined) });
    const view = await serveLiveView(org);
    org.submit({ id: 'forever', type: 'python' }).catch(() => undefined);
    await flush();
    const leaving = new AbortController();
    const left = await fetch(`${view.url}api/tasks/forever/stream`, { signal: leaving.signal });
    expect(left.status).toBe(200);
    leaving.abort();
    const staying = await fetch(`${view.url}api/tasks/forever/stream`);
    const reading = staying.text();
    await flush();
    await org.stop();
    await expect(reading).resolves.toBeTypeOf('string');
  });

  it('a client that stops reading is not buffered without bound: the server waits for it, and the progress it missed is dropped and announced', async () => {
    const line = 'x'.repeat(4_000);
    const started = deferred();
    const org = start({
      executors: async (_task, { progress }) => {
        await started.promise;
        // 20 MB in all, more than the sockets between server and client hold.
        for (let i = 0; i < 5_000; i++) {
          progress(line);
          await new Promise((resolve) => setImmediate(resolve));
        }
        return 'done';
      },
    });
    const view = await serveLiveView(org);
    const outcome = org.submit({ id: 'chatty', type: 'python' });
    await flush();
    const response = await new Promise<IncomingMessage>((resolve) => get(`${view.url}api/tasks/chatty/stream`, resolve));
    response.pause(); // a reader that has stopped reading
    started.resolve(undefined);
    expect((await outcome).status).toBe('completed');
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => response.on('end', resolve).resume());
    const names = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names).toContain('stream.dropped');
    expect(names.filter((name) => name === 'task.progress').length).toBeLessThan(5_000);
    expect(names.slice(-2)).toEqual(['task.completed', 'end']);
  });
});

describe('GET /api/events (the live view\'s feed)', () => {
  it('lets go of a page that stops reading instead of keeping what it missed in memory; it reconnects to a fresh state', async () => {
    const line = 'x'.repeat(4_000);
    const org = start({
      executors: async (_task, { progress }) => {
        // 40 MB of progress in all: more than the feed keeps for a page that is behind, and than the sockets hold.
        for (let i = 0; i < 10_000; i++) {
          progress(line);
          await new Promise((resolve) => setImmediate(resolve));
        }
        return 'done';
      },
    });
    const view = await serveLiveView(org);
    const page = await new Promise<IncomingMessage>((resolve) => get(`${view.url}api/events`, resolve));
    page.pause(); // a page that has stopped reading
    expect((await org.submit({ type: 'python' })).status).toBe('completed');
    let received = 0;
    page.on('data', (chunk: Buffer) => (received += chunk.length));
    // The server let it go (before: it kept every frame for it, and kept the response open).
    await new Promise((resolve) => {
      page.once('close', resolve);
      page.once('error', resolve);
      page.resume();
    });
    expect(received).toBeLessThan(40_000_000);
    const again = await fetch(`${view.url}api/events`);
    const reader = again.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain('event: state');
    await reader.cancel();
  });
});
