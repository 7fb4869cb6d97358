/**
 * The one adapter from a message port to a `Channel` (./endpoint.ts). Ports come in three shapes:
 *   Node's worker_threads (Worker, parentPort): postMessage(m, transfer) + on/off('message', m)
 *   DOM (Window, Worker, DedicatedWorkerGlobalScope): postMessage + add/removeEventListener('message', e.data)
 *   VS Code webviews: postMessage(m) + onDidReceiveMessage(m) → Disposable
 * `send` overrides how messages leave when the receiving side is another object (acquireVsCodeApi()).
 */
import type { Channel, WireMessage } from './endpoint';

type NodePort = { postMessage(m: unknown, transfer?: readonly ArrayBuffer[]): void; on(e: 'message', f: (m: unknown) => void): unknown; off(e: 'message', f: (m: unknown) => void): unknown };
type DomPort = { postMessage(m: unknown, transfer?: Transferable[]): void; addEventListener(e: 'message', f: (ev: MessageEvent) => void): void; removeEventListener(e: 'message', f: (ev: MessageEvent) => void): void };
type VsCodeWebview = { postMessage(m: unknown): Thenable<boolean> | Promise<boolean>; onDidReceiveMessage(f: (m: unknown) => void): { dispose(): void } };
type Thenable<T> = { then<R>(f: (v: T) => R): unknown };

export function channelOf(port: NodePort | DomPort | VsCodeWebview, send?: (m: WireMessage, transfer?: ArrayBuffer[]) => void): Channel {
  const post = send ?? ((m: WireMessage, transfer?: ArrayBuffer[]) => void (port as NodePort).postMessage(m, transfer ?? []));
  if ('onDidReceiveMessage' in port) {
    return { post: send ?? ((m) => void port.postMessage(m)), listen: (h) => { const d = port.onDidReceiveMessage((m) => h(m as WireMessage)); return () => d.dispose(); } };
  }
  if ('on' in port) {
    return { post, listen: (h) => { const f = (m: unknown) => h(m as WireMessage); port.on('message', f); return () => void port.off('message', f); } };
  }
  return { post, listen: (h) => { const f = (e: MessageEvent) => h(e.data as WireMessage); port.addEventListener('message', f); return () => port.removeEventListener('message', f); } };
}
