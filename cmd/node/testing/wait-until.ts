// Polling with a deadline, for the few waits on the kernel a test cannot avoid (a daemon ending, a
// namespace emptying): the check runs until it holds or the deadline passes, never a fixed sleep.

export async function waitUntil(check: () => Promise<boolean> | boolean, opts: { timeoutMs: number; what: string }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
