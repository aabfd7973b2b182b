/**
 * What a user does with the workbench around the editor, for the command tests: answer an input box or a quick
 * pick, press a button of a notification or of a modal dialog, read the Output panel.
 */
import type { Locator, Page } from 'playwright-core';

/**
 * Types `value` into the input box (or quick pick's filter) titled `title`, replacing what is there, and presses
 * Enter. Waiting for the title matters: the command palette's input is still there while the command starts.
 */
export async function answerInput(page: Page, title: string, value: string): Promise<void> {
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: title })
    .waitFor({ timeout: 60_000 });
  const input = page.locator('.quick-input-widget input');
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/**
 * Picks a file in VS Code's simple file dialog (code-server's showOpenDialog): a path in a quick input. The dialog
 * puts its starting folder into the input once it has listed it; a path typed before that is overwritten.
 */
export async function pickFile(page: Page, title: string, path: string): Promise<void> {
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: title })
    .waitFor({ timeout: 60_000 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: '..' }).first().waitFor();
  await page.locator('.quick-input-widget input').fill(path);
  // The dialog lists the typed path's folder before it takes the path: accepted sooner, the path is ignored.
  const name = path.slice(path.lastIndexOf('/') + 1);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.locator('.quick-input-widget').getByRole('button', { name: 'Upload' }).click();
}

/** The notification toast whose text contains `text`. */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
}

/** Clicks `button` of the toast that says `text`, once it is shown. */
export async function pressToastButton(page: Page, text: string | RegExp, button: string): Promise<void> {
  await toast(page, text).getByRole('button', { name: button }).click({ timeout: 60_000 });
}

/** The modal dialog once it says `text`: its text (message and buttons) and a way to press one of its buttons. */
export async function dialog(
  page: Page,
  text: string | RegExp,
): Promise<{ message: string; press(button: string): Promise<void> }> {
  const box = page.locator('.monaco-dialog-box', { hasText: text });
  await box.waitFor({ timeout: 60_000 });
  // The message and the buttons' labels: tests look for the message in it.
  const message = (await box.textContent()) ?? '';
  return {
    message,
    press: (button) => box.getByRole('button', { name: button, exact: true }).click(),
  };
}

/**
 * Closes every notification, so the next test only sees its own. Call it once the notifications the step caused are
 * shown (wait for their toasts): one that comes after the clear stays, and the wait for the toasts to go times out.
 */
export async function clearNotifications(page: Page): Promise<void> {
  const { runCommand } = await import('./editor');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-list-item').first().waitFor({ state: 'detached' });
}

/**
 * Resolves once the Output panel shows `text`. Only that: Monaco renders the lines in view alone, in no set order,
 * so the exact lines are better read from the channel's log (`Session.outputChannel`).
 */
export async function outputShows(page: Page, text: string): Promise<void> {
  await page.locator('.panel .monaco-editor .view-lines', { hasText: text }).waitFor({ timeout: 30_000 });
}
