/**
 * Owns the compute host, started on first use. By default the host is a child **process** (`child_process.fork`):
 * a V8 fatal error ("Fatal JavaScript invalid size error", a heap out of memory) aborts the whole process it
 * happens in, so only a separate process keeps the parent (the VS Code extension host, a `rank` run) alive.
 * `isolation: 'thread'` runs it in a worker_threads Worker with `resourceLimits` instead (cheaper to start;
 * survives heap exhaustion and ordinary exceptions, not V8 fatal errors).
 *
 * Failures are answers, never the parent's death: a crash (any cause) rejects the requests in flight with
 * `host-crashed`, and the next request starts a fresh host.
 *
 * Time limits run from when the host *starts* a request (the host reports `$started` on receipt; a request queued
 * behind a long synchronous one is not timed while it waits). A request over its limit is cancelled and, since a
 * busy JavaScript thread cannot be interrupted, the host is terminated; requests caught in that restart that were
 * not at fault are sent again to the fresh host once. A cancel the host does not acknowledge within
 * CANCEL_GRACE_MS (it is stuck in synchronous work) also gets it terminated, so a cancelled build never leaves
 * the host busy.
 */
import { Worker } from 'node:worker_threads';
import { fork, type ChildProcess } from 'node:child_process';
import { Endpoint, ProtocolError, type Channel, type ProgressOf, type RequestOptions, type WireMessage } from '../../protocol/endpoint';
import type { ExtensionMethods, HostMethods } from '../../protocol/messages';

/** V8 old-generation heap of one host (MB): a few 0.1 Å grids of a large cell and the analysis around them. */
export const HOST_MAX_OLD_GENERATION_MB = 3072;
/** Young generation of a thread host (MB). */
export const HOST_MAX_YOUNG_GENERATION_MB = 64;
/** Stack of a thread host (MB). */
export const HOST_STACK_SIZE_MB = 8;
/** How long a cancelled request may keep the host busy before the host is terminated (ms). */
export const CANCEL_GRACE_MS = 1500;
/** The notification the host sends when it begins a request (worker.ts). */
export const STARTED_NOTIFICATION = '$started';

export interface HostEvents {
  /** Something the user should be told (host crashed, restarted). */
  onProblem(message: string): void;
}

export interface HostClientOptions {
  /** 'process' (default): a forked Node process; 'thread': a worker thread with resourceLimits. */
  isolation?: 'process' | 'thread';
  /** Heap limit of the host (MB); default HOST_MAX_OLD_GENERATION_MB. */
  maxOldGenerationSizeMb?: number;
  /** Enables the host's test-only methods (`debugAllocate`); never set in the product. */
  testHooks?: boolean;
}

/** The host as the client sees it, whichever kind it is. */
interface HostHandle {
  channel: Channel;
  kill(): void;
  readonly pid: number | undefined;
}

interface Job {
  method: string;
  params: unknown;
  opts: RequestOptions<unknown> & { onStarted?: () => void };
  resolve(v: unknown): void;
  reject(e: unknown): void;
  controller?: AbortController;
  timer?: ReturnType<typeof setTimeout>;
  /** Why this client aborted it, if it did. */
  reason?: 'user' | 'timeout';
  attempts: number;
  settled: boolean;
  started: boolean;
  /** Caught in a restart made for another request's time limit: sent again to the fresh host (once). */
  resend?: boolean;
  /** Removes this job's listener from the caller's signal (one signal serves a whole rank run). */
  unlisten?: () => void;
}

export class HostClient {
  private host: HostHandle | undefined;
  private endpoint: Endpoint<HostMethods, ExtensionMethods> | undefined;
  private disposed = false;
  /** Requests on the current host, by the endpoint's request id. */
  private readonly inFlight = new Map<number, Job>();
  private capturing: Job | undefined;
  /** Milliseconds from the start of the host to its first answer, for the start-up measurement. */
  lastStartMs: number | undefined;
  restarts = 0;
  private readonly options: Required<Omit<HostClientOptions, 'testHooks'>> & { testHooks: boolean };

  constructor(private readonly workerPath: string, private readonly events: HostEvents, private readonly defaultTimeoutMs = 120_000, options: HostClientOptions = {}) {
    this.options = { isolation: options.isolation ?? 'process', maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? HOST_MAX_OLD_GENERATION_MB, testHooks: options.testHooks ?? false };
  }

  get running(): boolean {
    return this.host !== undefined;
  }

  /** Process id of the current host (its own process, or this one for a thread host); undefined when none runs. */
  get hostPid(): number | undefined {
    return this.host?.pid;
  }

  /** `opts.onStarted`: called when the host has received the request (its `$started`), where its time limit begins. */
  request<M extends keyof HostMethods & string>(method: M, params: HostMethods[M]['params'], opts: RequestOptions<ProgressOf<HostMethods[M]>> & { onStarted?: () => void } = {}): Promise<HostMethods[M]['result']> {
    if (this.disposed) return Promise.reject(new ProtocolError('host-crashed', 'ionpath is shutting down'));
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) { reject(new ProtocolError('cancelled', `${method} was cancelled`)); return; }
      const job: Job = { method, params, opts: opts as RequestOptions<unknown>, resolve: resolve as (v: unknown) => void, reject, attempts: 0, settled: false, started: false };
      const signal = opts.signal;
      if (signal) {
        const onAbort = () => { if (!job.settled) { job.reason = 'user'; job.controller?.abort(); } };
        signal.addEventListener('abort', onAbort, { once: true });
        job.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.dispatch(job);
    });
  }

  /** Terminate the host; the next request starts a new one. Requests in flight fail with host-crashed. */
  restart(): void {
    this.terminate(new ProtocolError('host-crashed', 'the compute host was restarted'), false);
    this.restarts++;
  }

  dispose(): void {
    this.disposed = true;
    this.terminate(new ProtocolError('host-crashed', 'ionpath is shutting down'), false);
  }

  private dispatch(job: Job): void {
    if (this.disposed) { this.settle(job, () => job.reject(new ProtocolError('host-crashed', 'ionpath is shutting down'))); return; }
    const endpoint = this.ensureStarted();
    job.attempts++;
    job.started = false;
    job.controller = new AbortController();
    this.capturing = job;
    let p: Promise<unknown>;
    try {
      p = endpoint.request(job.method as keyof HostMethods & string, job.params as never, { signal: job.controller.signal, onProgress: job.opts.onProgress, transfer: job.opts.transfer });
    } finally {
      this.capturing = undefined;
    }
    p.then((v) => this.settle(job, () => job.resolve(v)), (e) => this.failed(job, e));
  }

  private settle(job: Job, f: () => void): void {
    if (job.settled) return;
    job.settled = true;
    job.unlisten?.();
    if (job.timer) clearTimeout(job.timer);
    for (const [id, j] of this.inFlight) if (j === job) this.inFlight.delete(id);
    f();
  }

  private failed(job: Job, e: unknown): void {
    if (job.settled) return;
    if (job.timer) { clearTimeout(job.timer); job.timer = undefined; }
    if (job.reason === 'user') {
      this.settle(job, () => job.reject(new ProtocolError('cancelled', `${job.method} was cancelled`)));
      this.checkResponsive();
      return;
    }
    if (job.reason === 'timeout') {
      const limit = job.opts.timeoutMs ?? this.defaultTimeoutMs;
      const msg = `${job.method} took longer than ${Math.round(limit / 1000)} s and was stopped`;
      this.settle(job, () => job.reject(new ProtocolError('timeout', msg)));
      this.events.onProblem(`${msg}; the ionpath compute host was restarted.`);
      this.terminate(new ProtocolError('host-crashed', `the compute host was restarted after ${job.method} exceeded its time limit`), true);
      this.restarts++;
      return;
    }
    // Caught in a restart this client made for another request: send it again, once.
    if (job.resend && job.attempts < 2 && !this.disposed) {
      job.resend = false;
      this.dispatch(job);
      return;
    }
    this.settle(job, () => job.reject(e));
  }

  /** After a cancel: the host must answer a ping within CANCEL_GRACE_MS, or it is stuck and gets terminated. */
  private checkResponsive(): void {
    const endpoint = this.endpoint;
    if (!endpoint) return;
    endpoint.request('ping', {}, { timeoutMs: CANCEL_GRACE_MS }).catch((e: unknown) => {
      if (this.endpoint !== endpoint) return;
      if (e instanceof ProtocolError && e.code === 'timeout') {
        this.events.onProblem(`the ionpath compute host did not stop within ${CANCEL_GRACE_MS / 1000} s of a cancel; it was restarted.`);
        this.terminate(new ProtocolError('host-crashed', 'the compute host was restarted: it did not stop after a cancel'), true);
        this.restarts++;
      }
    });
  }

  private onStarted(id: number): void {
    const job = this.inFlight.get(id);
    if (!job || job.settled || job.started) return;
    job.started = true;
    job.opts.onStarted?.();
    const limit = job.opts.timeoutMs ?? this.defaultTimeoutMs;
    if (limit > 0 && Number.isFinite(limit)) {
      job.timer = setTimeout(() => { if (!job.settled) { job.reason = 'timeout'; job.controller?.abort(); } }, limit);
    }
  }

  /** Stop the host; with `resendOthers`, the requests caught in it are sent again to a fresh host. */
  private terminate(error: ProtocolError, resendOthers: boolean): void {
    const host = this.host;
    this.host = undefined;
    const endpoint = this.endpoint;
    this.endpoint = undefined;
    if (resendOthers && !this.disposed) for (const j of this.inFlight.values()) if (!j.settled && !j.reason) j.resend = true;
    this.inFlight.clear();
    endpoint?.dispose(error);
    host?.kill();
  }

  /** The host died on its own: everything in flight fails (no resend: it may be what killed it). */
  private crashed(host: HostHandle, what: string): void {
    if (this.host !== host) return;
    this.host = undefined;
    const endpoint = this.endpoint;
    this.endpoint = undefined;
    this.inFlight.clear();
    endpoint?.dispose(new ProtocolError('host-crashed', `the compute host crashed: ${what}`));
    if (!this.disposed) this.events.onProblem(`The ionpath compute host crashed (${what}); it restarts on the next request.`);
  }

  private ensureStarted(): Endpoint<HostMethods, ExtensionMethods> {
    if (this.endpoint) return this.endpoint;
    const t0 = Date.now();
    let host: HostHandle;
    if (this.options.isolation === 'process') {
      try {
        host = this.startProcess();
      } catch (e) {
        this.fallBackToThreads(e instanceof Error ? e.message : String(e));
        host = this.startThread();
      }
    } else host = this.startThread();
    const channel: Channel = {
      post: (m, transfer) => {
        if (m.kind === 'request' && this.capturing) this.inFlight.set(m.id, this.capturing);
        host.channel.post(m, transfer);
      },
      listen: (handler) => host.channel.listen((m) => {
        if (m.kind === 'notify' && m.method === STARTED_NOTIFICATION) { this.onStarted((m.params as { id: number }).id); return; }
        handler(m);
      }),
    };
    const endpoint = new Endpoint<HostMethods, ExtensionMethods>(channel);
    this.host = host;
    this.endpoint = endpoint;
    void endpoint.request('ping', {}).then(() => { this.lastStartMs = Date.now() - t0; }, () => undefined);
    return endpoint;
  }

  private startThread(): HostHandle {
    const worker = new Worker(this.workerPath, {
      name: 'ionpath-compute-host',
      workerData: { ionpathTestHooks: this.options.testHooks },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxOldGenerationSizeMb, maxYoungGenerationSizeMb: HOST_MAX_YOUNG_GENERATION_MB, stackSizeMb: HOST_STACK_SIZE_MB },
    });
    const handle: HostHandle = {
      pid: process.pid,
      channel: {
        post: (m, transfer) => worker.postMessage(m, transfer),
        listen: (handler) => {
          const f = (m: WireMessage) => handler(m);
          worker.on('message', f);
          return () => worker.off('message', f);
        },
      },
      kill: () => { void worker.terminate(); },
    };
    worker.on('error', (err) => this.crashed(handle, (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory (heap limit ${this.options.maxOldGenerationSizeMb} MB)` : err.message));
    worker.on('exit', (code) => this.crashed(handle, `exit code ${code}`));
    return handle;
  }

  /** A host process that cannot be started at all (no usable Node binary): threads from now on, said once. */
  private fallBackToThreads(why: string): void {
    this.options.isolation = 'thread';
    this.events.onProblem(`the ionpath compute host could not be started as a process (${why}); it runs in a worker thread instead, where a fatal V8 error would also end this process.`);
  }

  private startProcess(): HostHandle {
    const child: ChildProcess = fork(this.workerPath, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [`--max-old-space-size=${this.options.maxOldGenerationSizeMb}`],
      // VS Code's extension host runs on Electron: this makes the same binary behave as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', IONPATH_HOST_TEST_HOOKS: this.options.testHooks ? '1' : '' },
    });
    // The last lines of the host's stderr name a fatal error ("JavaScript heap out of memory", "invalid size").
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => { stderrTail = (stderrTail + s).slice(-4000); });
    const handle: HostHandle = {
      pid: child.pid,
      channel: {
        post: (m) => { if (child.connected) child.send(m); },
        listen: (handler) => {
          const f = (m: unknown) => handler(m as WireMessage);
          child.on('message', f);
          return () => child.off('message', f);
        },
      },
      kill: () => { child.kill('SIGKILL'); },
    };
    let answered = false;
    child.once('message', () => { answered = true; });
    child.on('error', (err) => {
      // Failing to spawn (not a crash of a running host): use threads rather than fail every request the same way.
      if (!answered && (err as NodeJS.ErrnoException).syscall?.startsWith('spawn')) this.fallBackToThreads(err.message);
      this.crashed(handle, err.message);
    });
    child.on('exit', (code, signal) => {
      const fatal = /Fatal JavaScript[^\n]*|JavaScript heap out of memory|FATAL ERROR:[^\n]*/.exec(stderrTail)?.[0];
      this.crashed(handle, fatal ? `${fatal.trim()}${/heap/.test(fatal) ? ` (heap limit ${this.options.maxOldGenerationSizeMb} MB)` : ''}` : signal ? `killed by ${signal}` : `exit code ${code}`);
    });
    return handle;
  }
}
