/**
 * Long computations are written as generators that yield their progress (0…1) every so often. The same code then
 * runs synchronously (CLI, tests) or cooperatively (worker thread): `runAsync` returns to the event loop between
 * slices so that a cancel message can arrive and abort the AbortSignal — a purely synchronous loop would never
 * see it.
 */
import { CancelledError } from './errors';

export type Work<T> = Generator<number, T, void>;

export interface WorkHooks {
  signal?: AbortSignal;
  /** Fraction done, 0…1, called at most every few milliseconds. */
  onProgress?: (fraction: number) => void;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Drain a work generator on the current thread. The signal is still honoured if something else aborts it. */
export function runSync<T>(work: Work<T>, hooks: WorkHooks = {}): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    throwIfAborted(hooks.signal);
    hooks.onProgress?.(step.value);
  }
}

const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

/** Drain a work generator, giving the event loop a turn every `sliceMs` so cancellation can get through. */
export async function runAsync<T>(work: Work<T>, hooks: WorkHooks = {}, sliceMs = 25): Promise<T> {
  let sliceStart = performance.now();
  throwIfAborted(hooks.signal);
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      hooks.onProgress?.(step.value);
      await yieldToEventLoop();
      throwIfAborted(hooks.signal);
      sliceStart = performance.now();
    }
  }
}

/** Map a stage's 0…1 progress into [from, to] of an overall bar. */
export function progressRange(hooks: WorkHooks, from: number, to: number): WorkHooks {
  return {
    signal: hooks.signal,
    onProgress: hooks.onProgress ? (f) => hooks.onProgress!(from + (to - from) * f) : undefined,
  };
}
