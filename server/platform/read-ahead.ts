/**
 * A chain of reads, each needing the one before (a cursor, a last row), consumed in order while
 * the next ones are already under way. `next` runs as soon as the step before it is in; `map` (the
 * step's own reads) runs beside the chain, not in it. At most `ahead` steps are under way or done
 * and not yet consumed, so memory stays bounded; a null step ends the chain. A failed step throws
 * where it would have been consumed, after every step before it.
 *
 * `burstMs`: the first item waits up to this long for the others read ahead with it, so their
 * requests go out as one burst before the consumer's own work competes for the CPU.
 */
export async function* readAhead<S, T>(opts: {
  first: () => Promise<S | null>;
  next: (step: S) => Promise<S | null>;
  map: (step: S) => Promise<T>;
  ahead: number;
  burstMs?: number;
}): AsyncGenerator<T> {
  let last: Promise<S | null> | null = null;
  const queue: Promise<T | null>[] = [];
  const startOne = () => {
    const step: Promise<S | null> = last ? last.then((s) => (s === null ? null : opts.next(s))) : opts.first();
    const item = step.then((s) => (s === null ? null : opts.map(s)));
    // Awaited in turn, or dropped when the consumer stops early: never an unhandled rejection.
    step.catch(() => {});
    item.catch(() => {});
    last = step;
    queue.push(item);
  };
  for (let i = 0; i < opts.ahead; i++) startOne();
  if (opts.burstMs) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled(queue), new Promise((r) => (timer = setTimeout(r, opts.burstMs)))]);
    clearTimeout(timer);
  }
  for (;;) {
    const item = await queue.shift()!;
    if (item === null) return;
    startOne();
    yield item;
  }
}
