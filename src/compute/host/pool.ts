/**
 * A fixed number of compute hosts for batch work (ranking a folder): each job goes to an idle host,
 * so at most `size` CPU-bound jobs run at once. Used by the extension and by the CLI alike.
 */
import type { ProgressOf, RequestOptions } from '../../protocol/endpoint';
import type { HostMethods } from '../../protocol/messages';
import { HostClient, type HostEvents } from './client';

export class HostPool {
  private readonly hosts: HostClient[];
  private readonly idle: HostClient[];
  private readonly waiting: ((h: HostClient) => void)[] = [];

  constructor(workerPath: string, readonly size: number, events: HostEvents, timeoutMs = 300_000) {
    this.hosts = Array.from({ length: Math.max(1, size) }, () => new HostClient(workerPath, events, timeoutMs));
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
