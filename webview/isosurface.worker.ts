/**
 * Isosurface worker: keeps the landscape grids and runs periodic marching cubes off the main
 * thread, so large grids (100³ and more) never freeze the view. Results are transferred, not copied.
 */
import { Endpoint, ProtocolError, type Channel, type WireMessage } from '../src/protocol/endpoint';
import { marchingCubes } from './marchingCubes';
import type { IsoGrid, IsoWorkerMethods } from './isoProtocol';

interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
}
const scope = self as unknown as WorkerScope;

const channel: Channel = {
  post: (m: WireMessage, transfer?: ArrayBuffer[]) => scope.postMessage(m, transfer ?? []),
  listen: (handler) => {
    const f = (e: MessageEvent) => handler(e.data as WireMessage);
    scope.addEventListener('message', f);
    return () => scope.removeEventListener('message', f);
  },
};

const grids = new Map<string, IsoGrid>();
const endpoint = new Endpoint<{}, IsoWorkerMethods>(channel);

endpoint.handle('setGrid', (g) => {
  if (g.data.length !== g.shape[0] * g.shape[1] * g.shape[2]) throw new ProtocolError('bad-request', 'grid size does not match its shape');
  grids.set(g.key, g);
});

endpoint.handle('extract', ({ key, level }, ctx) => {
  const g = grids.get(key);
  if (!g) throw new ProtocolError('bad-request', `no grid "${key}"`);
  const t0 = performance.now();
  const m = marchingCubes(g.data, g.shape, level, g.lattice);
  const ms = performance.now() - t0;
  ctx.transfer([m.positions.buffer as ArrayBuffer, m.normals.buffer as ArrayBuffer, m.indices.buffer as ArrayBuffer]);
  return { positions: m.positions, normals: m.normals, indices: m.indices, level, key, ms };
});
