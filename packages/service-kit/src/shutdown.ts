/**
 * Stops a service on SIGINT/SIGTERM: `close` finishes in-flight work (the
 * HTTP server drains, loops stop, running jobs go back to their queue), then
 * the process exits 0; if closing takes longer than `timeoutMs` (an
 * orchestrator's kill timeout is usually 10–30 s) or fails, it exits 1.
 */
export function closeOnSignals(
  close: () => Promise<void>,
  opts: { timeoutMs: number; log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void } },
): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    opts.log.info({ signal }, 'shutting down');
    const hard = setTimeout(() => {
      opts.log.error({ timeoutMs: opts.timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, opts.timeoutMs);
    hard.unref();
    close().then(
      () => {
        clearTimeout(hard);
        process.exit(0);
      },
      (err: unknown) => {
        opts.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
