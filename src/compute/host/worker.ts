/** Entry point of the compute host thread (bundled to dist/worker.js, started by the extension). */
import { parentPort } from 'node:worker_threads';
import { Endpoint } from '../../protocol/endpoint';
import { channelOf } from '../../protocol/channel';
import type { ExtensionMethods, HostMethods } from '../../protocol/messages';
import { registerHostMethods } from './service';

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;
registerHostMethods(new Endpoint<ExtensionMethods, HostMethods>(channelOf(port)));
