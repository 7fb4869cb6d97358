/**
 * A fixed number of compute hosts for batch work (ranking a folder): each job goes to an idle host,
 * so at most `size` CPU-bound jobs run at once. Used by the extension and by the CLI alike.
 *
 * The size is clamped to [1, the CPU cores] (more hosts than cores only add memory: 40 jobs took 1.27 GB for no
 * speed-up); a clamp is reported through `events.onProblem` and kept in `clampNote`.
 */
import { availableParallelism } from 'node:os';
import type { ProgressOf, RequestOptions } from '../../protocol/endpoint';
import type { HostMethods } from '../../protocol/messages';
import { HostClient, type HostClientOptions, type HostEvents } from './client';

/** Hosts a pool may start: one per core. */
export function maxPoolSize(): number {
  return Math.max(1, availableParallelism());
}

/** `requested` clamped to [1, maxPoolSize()], with the reason when it was changed (NaN and fractions included). */
export function clampPoolSize(requested: number): { size: number; note: string | null } {
  const max = maxPoolSize();
  if (!Number.isFinite(requested) || requested < 1) return { size: 1, note: `${requested} is not a usable number of jobs; 1 used` };
  const whole = Math.floor(requested);
  if (whole > max) return { size: max, note: `${requested} jobs reduced to ${max}, the number of CPU cores` };
  return { size: whole, note: whole !== requested ? `${requested} jobs rounded down to ${whole}` : null };
}

export class HostPool {
  private readonly hosts: HostClient[];
  private readonly idle: HostClient[];
  private readonly waiting: ((h: HostClient) => void)[] = [];
  /** The number of hosts (the requested size after clamping). */
  readonly size: number;
  readonly requestedSize: number;
  readonly clampNote: string | null;

  constructor(workerPath: string, size: number, events: HostEvents, timeoutMs = 300_000, hostOptions: HostClientOptions = {}) {
    const c = clampPoolSize(size);
    this.size = c.size;
    this.requestedSize = size;
    this.clampNote = c.note;
    if (c.note) events.onProblem(c.note);
    this.hosts = Array.from({ length: this.size }, () => new HostClient(workerPath, events, timeoutMs, hostOptions));
    this.idle = [...this.hosts];
  }

  async request<M extends keyof HostMethods & string>(method: M, params: HostMethods[M]['params'], opts: RequestOptions<ProgressOf<HostMethods[M]>> = {}): Promise<HostMethods[M]['result']> {
    const host = await this.acquire(opts.signal);
    try {
      return await host.request(method, params, opts);
    } finally {
      this.release(host);
    }
  }

  dispose(): void {
    for (const h of this.hosts) h.dispose();
  }

  private acquire(signal?: AbortSignal): Promise<HostClient> {
    const h = this.idle.pop();
    if (h) return Promise.resolve(h);
    return new Promise((resolve, reject) => {
      const take = (host: HostClient) => { signal?.removeEventListener('abort', onAbort); resolve(host); };
      const onAbort = () => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        const e = new Error('cancelled'); e.name = 'AbortError';
        reject(e);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(host: HostClient): void {
    const next = this.waiting.shift();
    if (next) next(host);
    else this.idle.push(host);
  }
}
