import net from 'node:net';

/** Real timer functions captured at import, so vi.useFakeTimers() in a test does not stall the harness. */
export const realSetTimeout: typeof setTimeout = globalThis.setTimeout.bind(globalThis);
export const realClearTimeout: typeof clearTimeout = globalThis.clearTimeout.bind(globalThis);
const originalDateNow = Date.now.bind(Date);
/** Wall-clock milliseconds, unaffected by vi.useFakeTimers() installed after this module loaded. */
export function realNow(): number {
  return originalDateNow();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/** A TCP port on 127.0.0.1 that was free a moment ago (listen(0), read, close). */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}
