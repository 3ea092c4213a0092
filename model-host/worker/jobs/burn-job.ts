import type { JobHandler } from '../job-context';

/** Spins the worker's CPU (tests use it to prove the protocol thread stays responsive). */
export const burnCpu: JobHandler = async (payload, ctx) => {
  const { ms } = payload as { ms: number };
  const start = Date.now();
  let x = 0;
  while (Date.now() - start < ms && !ctx.isCancelled()) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(i);
  }
  return { burnedMs: Date.now() - start, checksum: x > 0 };
};
