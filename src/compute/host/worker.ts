/** Entry point of the compute host thread (bundled to dist/worker.js, started by the extension). */
import { parentPort } from 'node:worker_threads';
import { Endpoint, type Channel, type WireMessage } from '../../protocol/endpoint';
import type { ExtensionMethods, HostMethods } from '../../protocol/messages';
import { registerHostMethods } from './service';

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;
const channel: Channel = {
  post: (m, transfer) => port.postMessage(m, transfer),
  listen: (handler) => {
    const f = (m: WireMessage) => handler(m);
    port.on('message', f);
    return () => port.off('message', f);
  },
};
registerHostMethods(new Endpoint<ExtensionMethods, HostMethods>(channel));
