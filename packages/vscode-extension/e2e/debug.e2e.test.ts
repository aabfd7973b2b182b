import { expect, it } from 'vitest';
import { startS3rver } from '../../core/test/_setup/s3rver.js';
import { startSession } from './session';

/** Pastes and measures in the page how long until the editor's text changes. */
async function timedPaste(page: import('playwright-core').Page, name: string, size: number): Promise<number> {
  return page.evaluate(
    ({ name, size }) =>
      new Promise<number>((resolve) => {
        const lines = document.querySelector('.monaco-editor .view-lines') as HTMLElement;
        const before = lines.textContent;
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(size).fill(7)], name, { type: 'image/png' }));
        const start = performance.now();
        const observer = new MutationObserver(() => {
          if (lines.textContent !== before) {
            observer.disconnect();
            resolve(performance.now() - start);
          }
        });
        observer.observe(lines, { subtree: true, childList: true, characterData: true });
        (document.activeElement as HTMLElement).dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
        );
      }),
    { name, size },
  );
}

it('debug', async () => {
  const s3 = await startS3rver();
  for (const configured of [true, false]) {
    const session = await startSession(configured ? { s3, makeDefault: true } : {});
    const { page } = session;
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      await session.focusEndOfNote();
      await page.keyboard.type('\n');
      times.push(Math.round(await timedPaste(page, `p${i}.png`, i === 7 ? 8 * 1024 * 1024 : 1024)));
      await page.waitForTimeout(1500);
    }
    console.log(configured ? 'BYTEDROP' : 'BUILT-IN', times.join(' '));
    await session.stop();
  }
  await s3.dispose();
  expect(1).toBe(1);
}, 600_000);
