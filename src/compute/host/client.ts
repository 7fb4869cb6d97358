/**
 * Owns the compute host: a worker_threads Worker started on first use. Crashes fail the requests in
 * flight and the next request starts a fresh host; a request that outlives its time limit gets the
 * host terminated (a busy JavaScript thread cannot be interrupted otherwise) and restarted.
 */
import { Worker } from 'node:worker_threads';
import { Endpoint, ProtocolError, type RequestOptions, type ProgressOf } from '../../protocol/endpoint';
import { channelOf } from '../../protocol/channel';
import type { ExtensionMethods, HostMethods } from '../../protocol/messages';

export interface HostEvents {
  /** Something the user should be told (host crashed, restarted). */
  onProblem(message: string): void;
}

export class HostClient {
  private worker: Worker | undefined;
  private endpoint: Endpoint<HostMethods, ExtensionMethods> | undefined;
  private disposed = false;
  /** Milliseconds from `new Worker` to its first answer, for the start-up measurement. */
  lastStartMs: number | undefined;
  restarts = 0;

  constructor(private readonly workerPath: string, private readonly events: HostEvents, private readonly defaultTimeoutMs = 120_000) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  async request<M extends keyof HostMethods & string>(method: M, params: HostMethods[M]['params'], opts: RequestOptions<ProgressOf<HostMethods[M]>> = {}): Promise<HostMethods[M]['result']> {
    if (this.disposed) throw new ProtocolError('host-crashed', 'ionpath is shutting down');
    const endpoint = this.ensureStarted();
    try {
      return await endpoint.request(method, params, { timeoutMs: this.defaultTimeoutMs, ...opts });
    } catch (e) {
      if (e instanceof ProtocolError && e.code === 'timeout') {
        this.events.onProblem(`${e.message}; the ionpath compute host was restarted.`);
        this.restart();
      }
      throw e;
    }
  }

  /** Terminate the host; the next request starts a new one. */
  restart(): void {
    const w = this.worker;
    this.detach(new ProtocolError('host-crashed', 'the compute host was restarted'));
    if (w) void w.terminate();
    this.restarts++;
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    this.detach(new ProtocolError('host-crashed', 'ionpath is shutting down'));
    if (w) void w.terminate();
  }

  private ensureStarted(): Endpoint<HostMethods, ExtensionMethods> {
    if (this.endpoint) return this.endpoint;
    const t0 = Date.now();
    const worker = new Worker(this.workerPath, { name: 'ionpath-compute-host' });
    const endpoint = new Endpoint<HostMethods, ExtensionMethods>(channelOf(worker));
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.detach(new ProtocolError('host-crashed', `the compute host crashed: ${err.message}`));
      this.events.onProblem(`The ionpath compute host crashed (${err.message}); it restarts on the next request.`);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return; // terminated on purpose
      this.detach(new ProtocolError('host-crashed', `the compute host exited with code ${code}`));
      if (!this.disposed) this.events.onProblem(`The ionpath compute host stopped (exit code ${code}); it restarts on the next request.`);
    });
    this.worker = worker;
    this.endpoint = endpoint;
    void endpoint.request('ping', {}).then(() => { this.lastStartMs = Date.now() - t0; }, () => undefined);
    return endpoint;
  }

  private detach(error: ProtocolError): void {
    this.endpoint?.dispose(error);
    this.endpoint = undefined;
    this.worker = undefined;
  }
}
