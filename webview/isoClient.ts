/**
 * Main-thread side of isosurface extraction: a worker started from a blob: URL (VS Code webviews
 * cannot start workers from vscode-resource URIs, so the worker source is fetched and wrapped),
 * with a main-thread fallback when no worker can be started. Requests are coalesced: while one
 * extraction runs, only the latest requested level is kept and run next.
 */
import { Endpoint, type Channel, type WireMessage } from '../src/protocol/endpoint';
import { marchingCubes, type Mat3 } from './marchingCubes';
import type { IsoGrid, IsoResult, IsoWorkerMethods } from './isoProtocol';

export class IsoClient {
  private endpoint: Endpoint<IsoWorkerMethods, {}> | undefined;
  private worker: Worker | undefined;
  private readonly localGrids = new Map<string, IsoGrid>();
  /** Why the worker is not used (null when it is). */
  fallbackReason: string | null = null;

  private constructor() {}

  /** Start the worker from `workerUri` (fetched and re-wrapped as a blob: URL); never rejects. */
  static async create(workerUri: string | undefined): Promise<IsoClient> {
    const c = new IsoClient();
    if (!workerUri) { c.fallbackReason = 'no worker URI given'; return c; }
    try {
      const res = await fetch(workerUri);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const src = await res.text();
      const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
      const worker = new Worker(url);
      const channel: Channel = {
        post: (m: WireMessage, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer ?? []),
        listen: (h) => {
          const f = (e: MessageEvent) => h(e.data as WireMessage);
          worker.addEventListener('message', f);
          return () => worker.removeEventListener('message', f);
        },
      };
      c.worker = worker;
      c.endpoint = new Endpoint<IsoWorkerMethods, {}>(channel);
      worker.addEventListener('error', (e) => {
        console.warn(`ionpath: isosurface worker failed (${e.message}); computing on the main thread`);
        c.fallbackReason = `worker error: ${e.message}`;
        c.endpoint?.dispose();
        c.endpoint = undefined;
        c.worker?.terminate();
        c.worker = undefined;
      });
    } catch (e) {
      c.fallbackReason = `could not start the worker: ${e instanceof Error ? e.message : String(e)}`;
      console.warn(`ionpath: ${c.fallbackReason}; computing isosurfaces on the main thread`);
    }
    return c;
  }

  get usesWorker(): boolean {
    return !!this.endpoint;
  }

  /** Hand a grid to the extractor (copied once to the worker). */
  async setGrid(key: string, data: Float32Array, shape: [number, number, number], lattice: Mat3): Promise<void> {
    const g: IsoGrid = { key, data, shape, lattice };
    this.localGrids.set(key, g); // kept for the fallback path
    if (this.endpoint) await this.endpoint.request('setGrid', g);
  }

  deleteGrid(key: string): void {
    this.localGrids.delete(key);
  }

  /** One extraction, in the worker when there is one. */
  async extract(key: string, level: number): Promise<IsoResult> {
    if (this.endpoint) {
      try {
        return await this.endpoint.request('extract', { key, level });
      } catch (e) {
        if (this.endpoint) throw e; // a real error, not a dead worker
      }
    }
    const g = this.localGrids.get(key);
    if (!g) throw new Error(`no grid "${key}"`);
    // Fallback: yield once so the UI can paint "computing" before the synchronous work.
    await new Promise((r) => setTimeout(r, 0));
    const t0 = performance.now();
    const m = marchingCubes(g.data, g.shape, level, g.lattice);
    return { positions: m.positions, normals: m.normals, indices: m.indices, level, key, ms: performance.now() - t0 };
  }

  dispose(): void {
    this.endpoint?.dispose();
    this.worker?.terminate();
  }
}

/**
 * Keeps at most one extraction in flight: `request` while busy replaces the queued request; every
 * finished mesh is delivered (older ones first), the latest last.
 */
export class CoalescingExtractor {
  private busy = false;
  private queued: { key: string; level: number } | null = null;
  /** Incremented whenever the grids change: results for older generations are dropped. */
  private generation = 0;

  constructor(
    private readonly client: IsoClient,
    private readonly deliver: (r: IsoResult, final: boolean) => void,
    private readonly fail: (e: unknown) => void,
  ) {}

  invalidate(): void {
    this.generation++;
    this.queued = null;
  }

  get pending(): boolean {
    return this.busy || this.queued !== null;
  }

  request(key: string, level: number): void {
    this.queued = { key, level };
    if (!this.busy) void this.pump();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    while (this.queued) {
      const q = this.queued;
      this.queued = null;
      const gen = this.generation;
      try {
        const r = await this.client.extract(q.key, q.level);
        if (gen === this.generation) this.deliver(r, this.queued === null);
      } catch (e) {
        if (gen === this.generation) this.fail(e);
      }
    }
    this.busy = false;
  }
}
