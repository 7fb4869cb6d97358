/**
 * The compute host's request handlers: the one place that maps protocol methods onto compute
 * functions. Transport-agnostic: `worker.ts` serves it over worker_threads; tests can serve it
 * over an in-process channel.
 */
import { threadId } from 'node:worker_threads';
import type { Endpoint } from '../../protocol/endpoint';
import type { ExtensionMethods, HostMethods } from '../../protocol/messages';
import { analyzeDocument } from '../language/analyze';
import { buildStructure } from '../structure/build';
import { summarise } from '../structure/summary';

export function registerHostMethods(endpoint: Endpoint<ExtensionMethods, HostMethods>): void {
  const startedAt = Date.now();
  endpoint.handle('ping', () => ({ pid: process.pid, threadId, startedAt }));
  endpoint.handle('analyzeDocument', ({ text }) => analyzeDocument(text));
  endpoint.handle('info', ({ text }) => {
    const r = buildStructure(text);
    return { ok: r.structure !== null, summary: r.structure ? summarise(r.structure, r.messages) : null, messages: r.messages };
  });
  endpoint.handle('spin', ({ ms }) => {
    const until = Date.now() + ms;
    while (Date.now() < until) { /* deliberately blocking */ }
    return null;
  });
}
