/**
 * Browser test harness: plays the extension's side of the webview protocol inside the page.
 * Loaded (nonce'd, before dist/webview.js) into the page that `renderWebviewHtml` produces, so the
 * real CSP applies. The webview reaches us through `window.__ionpathHost(message)`; we answer with
 * `window.postMessage(message, '*')`, exactly as VS Code delivers extension messages.
 *
 * Driven from Playwright through `window.__harness`. Typed arrays cross the Playwright boundary as
 * `{ __f32: base64 }` and are decoded here.
 */
import { Endpoint, type Channel, type WireMessage } from '../../src/protocol/endpoint';
import type {
  ExtensionMethodsFromWebview, ExtensionNotificationsFromWebview, SceneRendered, SceneStatus, SceneUpdate, SceneViewOptions,
  WebviewMethods, WebviewNotifications,
} from '../../src/protocol/scene';

type W = Window & { __ionpathHost?: (m: WireMessage) => void; __ionpathOutbox?: WireMessage[]; __harness?: unknown };
const w = window as W;

let deliver: ((m: WireMessage) => void) | null = null;
const pending: WireMessage[] = [];
const channel: Channel = {
  post: (m) => window.postMessage(m, '*'),
  listen: (h) => { deliver = h; for (const m of pending.splice(0)) h(m); return () => { deliver = null; }; },
};
w.__ionpathHost = (m) => { if (deliver) deliver(m); else pending.push(m); };
for (const m of w.__ionpathOutbox?.splice(0) ?? []) pending.push(m);

const ep = new Endpoint<WebviewMethods, ExtensionMethodsFromWebview, WebviewNotifications, ExtensionNotificationsFromWebview>(channel);

const state = {
  readyCount: 0,
  saved: [] as { pngBase64: string; suggestedName?: string }[],
  exports: [] as { format: 'cube' | 'grd' }[],
  dataExports: [] as { kind: string; ordering?: number; images?: number }[],
  rendered: [] as SceneRendered[],
  viewErrors: [] as string[],
};
ep.handle('ready', () => { state.readyCount++; });
ep.handle('saveImage', (p) => { state.saved.push(p); return { path: `/tmp/${p.suggestedName ?? 'image.png'}` }; });
ep.handle('exportGrid', (p) => { state.exports.push(p); return { path: `/tmp/grid.${p.format}` }; });
ep.handle('exportData', (p) => { state.dataExports.push(p); return { path: `/tmp/export-${p.kind}${p.ordering !== undefined ? `-${p.ordering + 1}` : ''}` }; });
ep.onNotification('rendered', (r) => { state.rendered.push(r); });
ep.onNotification('viewError', (e) => { state.viewErrors.push(e.message); });

function decode(x: unknown): unknown {
  if (ArrayBuffer.isView(x)) return x;
  if (Array.isArray(x)) return x.map(decode);
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.__f32 === 'string') {
      const bin = atob(o.__f32);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return new Float32Array(bytes.buffer);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decode(v);
    return out;
  }
  return x;
}

/** Keep the last scene so tests can re-send it, e.g. with a bigger grid generated in the page. */
w.__harness = {
  state,
  setScene: (u: unknown) => ep.request('setScene', decode(u) as SceneUpdate),
  setStatus: (s: SceneStatus) => ep.request('setStatus', s),
  setOptions: (o: SceneViewOptions) => ep.notify('setOptions', o),
  /** A periodic channel landscape generated in the page (no transfer through Playwright). */
  channelGrid(n: number, eb = 0.42, ey = 1.25, ez = 1.9): Float32Array {
    const g = new Float32Array(n * n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
      const x = i / n, y = j / n, z = k / n;
      g[(i * n + j) * n + k] = eb * (1 - Math.cos(4 * Math.PI * x)) / 2 + ey * (1 - Math.cos(2 * Math.PI * (y - 0.5))) / 2 + ez * (1 - Math.cos(2 * Math.PI * (z - 0.5))) / 2;
    }
    return g;
  },
};
