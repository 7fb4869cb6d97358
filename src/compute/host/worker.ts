/**
 * Entry point of the compute host (bundled to dist/worker.js). It runs either as a forked child process (messages
 * over the IPC channel, the default: a fatal V8 error then ends only this process) or in a worker thread
 * (messages over parentPort). Either way it tells the client when it starts each request (`$started`), so that
 * time limits count running time, not time spent waiting behind another request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Endpoint, type Channel, type WireMessage } from '../../protocol/endpoint';
import type { ExtensionMethods, HostMethods } from '../../protocol/messages';
import { registerHostMethods } from './service';

const STARTED_NOTIFICATION = '$started'; // = client.ts STARTED_NOTIFICATION (not imported: keeps the bundle lean)

function transport(): { post(m: WireMessage, transfer?: ArrayBuffer[]): void; on(f: (m: WireMessage) => void): () => void } {
  if (parentPort) {
    const port = parentPort;
    return { post: (m, transfer) => port.postMessage(m, transfer), on: (f) => { port.on('message', f); return () => port.off('message', f); } };
  }
  if (process.send) {
    const send = process.send.bind(process);
    // The parent going away (crash, kill) closes the channel: nothing left to serve.
    process.on('disconnect', () => process.exit(0));
    return { post: (m) => { if (process.connected) send(m); }, on: (f) => { const g = (m: unknown) => f(m as WireMessage); process.on('message', g); return () => process.off('message', g); } };
  }
  throw new Error('worker.js must run in a worker thread or as a forked process');
}

const t = transport();
const channel: Channel = {
  post: t.post,
  listen: (handler) => t.on((m) => {
    if (m.kind === 'request') t.post({ kind: 'notify', method: STARTED_NOTIFICATION, params: { id: m.id } });
    handler(m);
  }),
};
const endpoint = new Endpoint<ExtensionMethods, HostMethods>(channel);
registerHostMethods(endpoint);

// Test-only methods, for the reliability suite: enabled by the client's `testHooks` option, never in the product.
const testHooks = (workerData as { ionpathTestHooks?: boolean } | null)?.ionpathTestHooks === true || process.env.IONPATH_HOST_TEST_HOOKS === '1';
if (testHooks) {
  type Loose = Endpoint<ExtensionMethods, Record<string, { params: unknown; result: unknown }>>;
  (endpoint as unknown as Loose).handle('debugAllocate', (params) => {
    const { kind } = params as { kind: 'heap' | 'fatal' | 'abort' };
    // What a V8 fatal error does to the process it happens in (a worker thread would take its parent with it).
    if (kind === 'abort') process.abort();
    if (kind === 'fatal') {
      // A V8 fatal error (not an exception): "Fatal JavaScript invalid size error", as a 4 GB grid gave.
      const a = new Array<number>(2 ** 29).fill(0);
      return a.length;
    }
    const keep: number[][] = [];
    for (;;) keep.push(new Array<number>(1 << 16).fill(Math.random()));
  });
}
