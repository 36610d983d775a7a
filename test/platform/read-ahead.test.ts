import { describe, expect, it } from 'vitest';
import { readAhead } from '../../server/platform/read-ahead.ts';

// The read-ahead behind syncs (member pages) and pushes (queue batches): in order, bounded, and a
// failure surfaces where it happened, after everything before it.

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Steps 1..n; `started` records each step's start, `fail` makes one step throw. */
function steps(n: number, fail?: number) {
  const started: number[] = [];
  const finished: number[] = [];
  const step = async (i: number) => {
    started.push(i);
    await tick();
    if (i === fail) throw new Error(`step ${i} failed`);
    finished.push(i);
    return i <= n ? i : null;
  };
  return { started, finished, opts: { first: () => step(1), next: (i: number) => step(i + 1), map: async (i: number) => `item ${i}` } };
}

describe('reading ahead', () => {
  it('yields every step in order, then stops at the null one', async () => {
    const { opts } = steps(7);
    const out: string[] = [];
    for await (const x of readAhead({ ...opts, ahead: 3 })) out.push(x);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `item ${i}`));
  });

  it('runs at most `ahead` steps beyond what was consumed', async () => {
    const { opts, started } = steps(100);
    const it = readAhead({ ...opts, ahead: 4 });
    await it.next();
    for (let i = 0; i < 10; i++) await tick();
    // the consumed one, and four more
    expect(started).toEqual([1, 2, 3, 4, 5]);
    await it.return(undefined);
  });

  it('throws a failed step where it would have come, after the ones before it', async () => {
    const { opts } = steps(10, 4);
    const out: string[] = [];
    await expect(
      (async () => {
        for await (const x of readAhead({ ...opts, ahead: 5 })) out.push(x);
      })(),
    ).rejects.toThrow('step 4 failed');
    expect(out).toEqual(['item 1', 'item 2', 'item 3']);
  });

  it('lets the first item wait for the opening burst, but not past `burstMs`', async () => {
    const { opts, finished } = steps(20);
    const it = readAhead({ ...opts, ahead: 6, burstMs: 1000 });
    await it.next();
    expect(finished).toEqual([1, 2, 3, 4, 5, 6]);
    const slow = readAhead({ first: async () => 1, next: () => new Promise<number | null>(() => {}), map: async (i: number) => i, ahead: 3, burstMs: 50 });
    const t0 = Date.now();
    expect((await slow.next()).value).toBe(1);
    expect(Date.now() - t0).toBeLessThan(500);
    await it.return(undefined);
  });
});
