/**
 * Test files made of pseudo-random bytes, generated the same way in the page and in the test: megabytes never cross
 * the DevTools protocol as JSON arrays, and the test still knows every byte.
 */
import type { Page } from 'playwright-core';

/** xorshift32 from `seed`: byte i of a test file. The page runs the same code (see `pasteGenerated`). */
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

/**
 * Pastes a generated file into the focused editor (a ClipboardEvent whose DataTransfer holds a File, as the browser
 * does on Ctrl+V) and returns the page's clock at the paste, so a test can time what follows.
 */
export function pasteGenerated(
  page: Page,
  name: string,
  size: number,
  seed: number,
  type: string,
): Promise<number> {
  return page.evaluate(
    ({ name, size, seed, type, source }) => {
      const make = new Function(`return ${source}`)() as (size: number, seed: number) => Uint8Array;
      const transfer = new DataTransfer();
      transfer.items.add(new File([make(size, seed) as Uint8Array<ArrayBuffer>], name, { type }));
      const target = document.activeElement as HTMLElement;
      const at = performance.now();
      target.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
      );
      return at;
    },
    { name, size, seed, type, source: generated.toString() },
  );
}

/**
 * Drops files onto the editor's text, as a drag from the desktop with Shift held (VS Code drops into the editor
 * rather than opening the files).
 */
export async function dropFiles(
  page: Page,
  files: { name: string; bytes: Uint8Array; type: string }[],
): Promise<void> {
  const box = await page.locator('.monaco-editor .view-lines').first().boundingBox();
  await page.evaluate(
    ({ files, x, y }) => {
      const transfer = new DataTransfer();
      for (const file of files)
        transfer.items.add(new File([new Uint8Array(file.data)], file.name, { type: file.type }));
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
      files: files.map((file) => ({ name: file.name, type: file.type, data: [...file.bytes] })),
      x: (box?.x ?? 0) + 200,
      y: (box?.y ?? 0) + (box?.height ?? 40) - 5,
    },
  );
}
