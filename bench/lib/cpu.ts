import os from 'node:os';

/**
 * Runs `fn` and says how busy the machine's cores were meanwhile (0–1, all cores together). A
 * figure measured at 1 had no core to spare: more processes cannot make it grow on this machine.
 */
export async function measuringCpu<T>(fn: () => Promise<T>): Promise<T & { cpuBusy: number }> {
  const before = cpuTimes();
  const value = await fn();
  const after = cpuTimes();
  return { ...value, cpuBusy: 1 - (after.idle - before.idle) / (after.total - before.total) };
}

function cpuTimes() {
  let idle = 0;
  let total = 0;
  for (const { times: t } of os.cpus()) {
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

export const percentBusy = (busy: number) => `cores ${Math.round(busy * 100)}% busy`;
