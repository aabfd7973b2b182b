/**
 * Internal: when thumbnails are made. Jobs run `concurrency` at a time, only while no upload is under way (or once the
 * oldest has waited `maxWaitMs`), each on a later turn of the event loop so the answer that queued it goes out first.
 */

/** The limits of `thumbnailQueue`, checked by `createThumbnails`. */
export interface QueueLimits {
  concurrency: number;
  maxQueued: number;
  maxWaitMs: number;
}

/** `Thumbnails`' scheduling half: `add` for `schedule`, and `idle`, `waiting`, `uploading` as they are. */
export function thumbnailQueue({ concurrency, maxQueued, maxWaitMs }: QueueLimits) {
  const queue: Array<{ run: () => Promise<void>; queuedAt: number }> = [];
  let running = 0;
  let uploads = 0;
  let waiters: Array<() => void> = [];
  let overdue: ReturnType<typeof setTimeout> | undefined;

  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const waited = Date.now() - queue[0]!.queuedAt;
      if (uploads > 0 && waited < maxWaitMs) {
        // Looked at again when the uploads end, or when the oldest has waited long enough.
        if (!overdue) {
          overdue = setTimeout(() => {
            overdue = undefined;
            pump();
          }, maxWaitMs - waited);
          (overdue as { unref?: () => void }).unref?.();
        }
        break;
      }
      const job = queue.shift()!;
      running++;
      void job.run().finally(() => {
        running--;
        pump();
      });
    }
    if (running === 0 && queue.length === 0) {
      for (const done of waiters) done();
      waiters = [];
    }
  };

  return {
    /** Queues `run` (which must not throw); false, and not queued, when the queue is full. */
    add(run: () => Promise<void>): boolean {
      // Waiting beyond the free encoder slots: the queue proper, whether or not `pump` has run yet.
      if (queue.length >= maxQueued + concurrency - running) return false;
      queue.push({ queuedAt: Date.now(), run });
      // Started on a later turn of the event loop: the answer this upload is part of goes out first.
      setTimeout(pump, 0);
      return true;
    },
    idle(): Promise<void> {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((done) => waiters.push(done));
    },
    waiting: () => queue.length,
    uploading(): () => void {
      uploads++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        uploads--;
        if (uploads > 0) return;
        clearTimeout(overdue);
        overdue = undefined;
        // A later turn, as in `add`: the answer that just ended the upload goes out first.
        setTimeout(pump, 0);
      };
    },
  };
}
