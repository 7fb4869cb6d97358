/**
 * One message handler for every channel in ionpath: extension ↔ compute host (worker_threads) and
 * extension ↔ webview. Both ends hold an `Endpoint` over a `Channel`; requests carry an id, the
 * handler may report progress, and either side may cancel. Nothing here depends on vscode or Node.
 */

/** What every channel provides: send a structured-cloneable message, receive them. */
export interface Channel {
  post(message: WireMessage, transfer?: ArrayBuffer[]): void;
  /** Subscribe; returns an unsubscribe function. */
  listen(handler: (message: WireMessage) => void): () => void;
}

export type WireMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'progress'; id: number; progress: unknown }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: ProtocolErrorData }
  | { kind: 'cancel'; id: number }
  | { kind: 'notify'; method: string; params: unknown };

export interface ProtocolErrorData {
  code: 'cancelled' | 'timeout' | 'host-crashed' | 'bad-request' | 'failed' | 'unknown-method';
  message: string;
  /** Extra detail for the user, e.g. a located CIF problem. */
  detail?: unknown;
}

export class ProtocolError extends Error {
  constructor(readonly code: ProtocolErrorData['code'], message: string, readonly detail?: unknown) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * A method table: method name → params, result, progress types. The concrete tables are in
 * `./messages.ts`; `Endpoint<Remote, Local>` types calls to the other side and handlers on this side.
 */
export type MethodTable = Record<string, { params: unknown; result: unknown; progress?: unknown }>;
export type NotificationTable = Record<string, unknown>;
/** The progress type of a method-table entry (never when it reports none). */
export type ProgressOf<T> = T extends { progress: infer P } ? P : never;

export interface RequestOptions<P> {
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
  /** Reject with code 'timeout' (and cancel on the other side) after this long. */
  timeoutMs?: number;
  /** ArrayBuffers to transfer instead of copy (large grids). */
  transfer?: ArrayBuffer[];
}

export interface HandlerContext<P> {
  signal: AbortSignal;
  progress(p: P): void;
  /** Mark buffers in the result to be transferred rather than copied. */
  transfer(buffers: ArrayBuffer[]): void;
}

type Handler = (params: unknown, ctx: HandlerContext<unknown>) => unknown | Promise<unknown>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (p: unknown) => void;
  cleanup(): void;
}

export class Endpoint<Remote extends MethodTable, Local extends MethodTable, RemoteNotes extends NotificationTable = {}, LocalNotes extends NotificationTable = {}> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, AbortController>();
  private readonly handlers = new Map<string, Handler>();
  private readonly noteHandlers = new Map<string, (params: unknown) => void>();
  private readonly unlisten: () => void;

  constructor(private readonly channel: Channel) {
    this.unlisten = channel.listen((m) => this.receive(m));
  }

  /** Call a method on the other side. */
  request<M extends keyof Remote & string>(method: M, params: Remote[M]['params'], opts: RequestOptions<ProgressOf<Remote[M]>> = {}): Promise<Remote[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        this.channel.post({ kind: 'cancel', id });
        settle(() => reject(new ProtocolError('cancelled', `${method} was cancelled`)));
      };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const settle = (f: () => void) => { cleanup(); f(); };
      if (opts.signal?.aborted) { reject(new ProtocolError('cancelled', `${method} was cancelled`)); return; }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          this.channel.post({ kind: 'cancel', id });
          settle(() => reject(new ProtocolError('timeout', `${method} took longer than ${Math.round(opts.timeoutMs! / 1000)} s and was stopped`)));
        }, opts.timeoutMs);
      }
      this.pending.set(id, { resolve, reject, onProgress: opts.onProgress as ((p: unknown) => void) | undefined, cleanup });
      this.channel.post({ kind: 'request', id, method, params }, opts.transfer);
    });
  }

  /** Fire-and-forget message to the other side. */
  notify<N extends keyof RemoteNotes & string>(method: N, params: RemoteNotes[N]): void {
    this.channel.post({ kind: 'notify', method, params });
  }

  /** Serve a method of this side. */
  handle<M extends keyof Local & string>(method: M, handler: (params: Local[M]['params'], ctx: HandlerContext<ProgressOf<Local[M]>>) => Local[M]['result'] | Promise<Local[M]['result']>): void {
    this.handlers.set(method, handler as Handler);
  }

  onNotification<N extends keyof LocalNotes & string>(method: N, handler: (params: LocalNotes[N]) => void): void {
    this.noteHandlers.set(method, handler as (p: unknown) => void);
  }

  /** Reject everything in flight (e.g. the worker died) and stop listening. */
  dispose(error = new ProtocolError('host-crashed', 'the connection was closed')): void {
    this.unlisten();
    for (const p of [...this.pending.values()]) { p.cleanup(); p.reject(error); }
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }

  /** Fail all pending requests with `error`, keep listening (used when the other side restarts). */
  failPending(error: ProtocolError): void {
    for (const p of [...this.pending.values()]) { p.cleanup(); p.reject(error); }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private receive(m: WireMessage): void {
    switch (m.kind) {
      case 'request': void this.serve(m.id, m.method, m.params); break;
      case 'cancel': this.running.get(m.id)?.abort(); break;
      case 'progress': this.pending.get(m.id)?.onProgress?.(m.progress); break;
      case 'result': { const p = this.pending.get(m.id); if (p) { p.cleanup(); p.resolve(m.result); } break; }
      case 'error': {
        const p = this.pending.get(m.id);
        if (p) { p.cleanup(); p.reject(new ProtocolError(m.error.code, m.error.message, m.error.detail)); }
        break;
      }
      case 'notify': this.noteHandlers.get(m.method)?.(m.params); break;
    }
  }

  private async serve(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.channel.post({ kind: 'error', id, error: { code: 'unknown-method', message: `unknown method ${method}` } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    let transfer: ArrayBuffer[] = [];
    const ctx: HandlerContext<unknown> = {
      signal: controller.signal,
      progress: (progress) => { if (!controller.signal.aborted) this.channel.post({ kind: 'progress', id, progress }); },
      transfer: (b) => { transfer = transfer.concat(b); },
    };
    try {
      const result = await handler(params, ctx);
      if (controller.signal.aborted) return; // the caller already gave up
      this.channel.post({ kind: 'result', id, result }, transfer.length ? transfer : undefined);
    } catch (e) {
      if (controller.signal.aborted) return;
      const error: ProtocolErrorData = e instanceof ProtocolError
        ? { code: e.code, message: e.message, detail: e.detail }
        : { code: 'failed', message: e instanceof Error ? e.message : String(e) };
      this.channel.post({ kind: 'error', id, error });
    } finally {
      this.running.delete(id);
    }
  }
}

/** Throw a 'cancelled' ProtocolError if the signal fired; call it in long loops. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ProtocolError('cancelled', 'cancelled');
}
