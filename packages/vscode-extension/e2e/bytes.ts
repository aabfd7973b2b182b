/**
 * What the e2e tests do to the editor's page: paste and drop files, and time what follows on the page's clock. Test
 * files are pseudo-random bytes generated the same way in the page and in the test: megabytes never cross the
 * DevTools protocol as JSON arrays, and the test still knows every byte.
 */
import type { Page } from 'playwright-core';

/** xorshift32 from `seed`: byte i of a test file. The page runs this very function (see `pasteGenerated`). */
export function generated(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let index = 0; index < size; index++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[index] = x & 255;
  }
  return bytes;
}

/** Makes a generated file in the page as `window.pending`, from `generated`'s own source. */
async function stageGenerated(page: Page, name: string, size: number, seed: number, type: string) {
  await page.evaluate(
    ({ name, size, seed, type, source }) => {
      const make = new Function(`return ${source}`)() as (size: number, seed: number) => Uint8Array;
      const file = new File([make(size, seed) as Uint8Array<ArrayBuffer>], name, { type });
      (window as unknown as { pending?: File }).pending = file;
    },
    { name, size, seed, type, source: generated.toString() },
  );
}

/**
 * Pastes a generated file into the focused editor (a ClipboardEvent whose DataTransfer holds a File, as the browser
 * does on Ctrl+V) and returns the page's clock at the paste. The bytes are made before the clock starts: generating
 * megabytes is the page's work, not the paste's.
 */
export async function pasteGenerated(
  page: Page,
  name: string,
  size: number,
  seed: number,
  type: string,
): Promise<number> {
  await stageGenerated(page, name, size, seed, type);
  return page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.items.add((window as unknown as { pending: File }).pending);
    const at = performance.now();
    (document.activeElement as HTMLElement).dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
    );
    return at;
  });
}

/**
 * Watches the editor's text for `marker`; `landed()` resolves to the page's clock when it appeared.
 *
 * @example
 * ```ts
 * const landing = await watchFor(page, '](clip.bin)');
 * const pastedAt = await pasteGenerated(page, 'clip.bin', size, 1, 'application/octet-stream');
 * const landedAt = await landing.landed();
 * ```
 */
export async function watchFor(page: Page, marker: string): Promise<{ landed(): Promise<number> }> {
  await page.evaluate((marker) => {
    const state = window as unknown as { landedAt?: number };
    state.landedAt = undefined;
    const lines = document.querySelector('.monaco-editor .view-lines') as HTMLElement;
    const observer = new MutationObserver(() => {
      if (!(lines.textContent ?? '').includes(marker)) return;
      state.landedAt = performance.now();
      observer.disconnect();
    });
    observer.observe(lines, { subtree: true, childList: true, characterData: true });
  }, marker);
  return {
    landed: async () => {
      const handle = await page.waitForFunction(
        () => (window as unknown as { landedAt?: number }).landedAt,
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      return (await handle.jsonValue()) as number;
    },
  };
}

/** Listens for the next key press; the returned function reads the page's clock at it. */
export async function nextKeyAt(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const state = window as unknown as { keyAt?: number };
    state.keyAt = undefined;
    window.addEventListener(
      'keydown',
      () => {
        state.keyAt ??= performance.now();
      },
      { capture: true, once: true },
    );
  });
  return async () => (await page.evaluate(() => (window as unknown as { keyAt?: number }).keyAt)) as number;
}

/**
 * Drops files at the end of the editor's last line, as a drag from the desktop with Shift held (VS Code then drops
 * into the editor rather than opening the files).
 */
export async function dropFiles(
  page: Page,
  files: { name: string; bytes: Uint8Array; type: string }[],
): Promise<void> {
  await page.evaluate(
    (files) => {
      (window as unknown as { dropping?: File[] }).dropping = files.map(
        (file) => new File([new Uint8Array(file.data)], file.name, { type: file.type }),
      );
    },
    files.map((file) => ({ name: file.name, type: file.type, data: [...file.bytes] })),
  );
  await dispatchDrop(page);
}

/** Drops a generated file as `dropFiles` does: made in the page, so megabytes never cross as a JSON array. */
export async function dropGenerated(
  page: Page,
  name: string,
  size: number,
  seed: number,
  type: string,
): Promise<void> {
  await stageGenerated(page, name, size, seed, type);
  await page.evaluate(() => {
    const state = window as unknown as { pending: File; dropping?: File[] };
    state.dropping = [state.pending];
  });
  await dispatchDrop(page);
}

/** Drags `window.dropping` over the end of the editor's last line and drops it there. */
async function dispatchDrop(page: Page): Promise<void> {
  const line = await page.locator('.monaco-editor .view-line').last().boundingBox();
  await page.evaluate(
    ({ x, y }) => {
      const transfer = new DataTransfer();
      for (const file of (window as unknown as { dropping: File[] }).dropping) transfer.items.add(file);
      const target = document.querySelector('.monaco-editor .view-lines') as HTMLElement;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(
          new DragEvent(type, {
            dataTransfer: transfer,
            bubbles: true,
            cancelable: true,
            clientX: x,
            clientY: y,
            shiftKey: true,
          }),
        );
      }
    },
    {
      x: (line?.x ?? 0) + (line?.width ?? 0) - 2,
      y: (line?.y ?? 0) + (line?.height ?? 20) / 2,
    },
  );
}
