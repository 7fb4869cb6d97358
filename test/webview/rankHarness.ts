/**
 * Browser harness for the ranking table: plays the extension's side of src/protocol/ranking.ts inside
 * the page (the table reaches us through `window.__rankHost(message)`, we answer by `window.postMessage`,
 * as VS Code delivers messages). Driven from Playwright through `window.__rankHarness`.
 */
import { Endpoint, type Channel, type WireMessage } from '../../src/protocol/endpoint';
import type { RankTableHostMethods, RankTableMethods, RankTableRowsUpdate, RankTableState } from '../../src/protocol/ranking';

type W = Window & { __rankHost?: (m: WireMessage) => void; __rankOutbox?: WireMessage[]; __rankHarness?: unknown };
const w = window as W;
let deliver: ((m: WireMessage) => void) | null = null;
const pending: WireMessage[] = [];
const channel: Channel = {
  post: (m) => window.postMessage(m, '*'),
  listen: (h) => { deliver = h; for (const m of pending.splice(0)) h(m); return () => { deliver = null; }; },
};
w.__rankHost = (m) => { if (deliver) deliver(m); else pending.push(m); };
for (const m of w.__rankOutbox?.splice(0) ?? []) pending.push(m);

const ep = new Endpoint<RankTableMethods, RankTableHostMethods>(channel);
const state = { ready: 0, opened: [] as string[], exports: [] as string[] };
ep.handle('ready', () => { state.ready++; return null; });
ep.handle('openFile', ({ file }) => { state.opened.push(file); return null; });
ep.handle('exportAs', ({ format }) => { state.exports.push(format); return { saved: `/tmp/ranking.${format}` }; });

w.__rankHarness = {
  state,
  setState: (s: RankTableState) => ep.request('setState', s),
  upsertRows: (u: RankTableRowsUpdate) => ep.request('upsertRows', u),
};
