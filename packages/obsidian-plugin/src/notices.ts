/**
 * Notices with buttons that fix what they name ("Open Bytedrop settings"), built from Obsidian's public parts: a
 * `Notice` and `ButtonComponent`s in its `messageEl`.
 */
import { ButtonComponent, Notice } from 'obsidian';
import type { NoticeAction } from './wording';

/** What the buttons do, given by the plugin. */
export interface NoticeHost {
  /** Opens Settings → Bytedrop. */
  openSettings(): void;
  /** Uploads the open entries of the pending-upload journal again. */
  retryPending(): void;
}

const LABELS: Readonly<Record<NoticeAction, string>> = {
  'open-settings': 'Open Bytedrop settings',
  retry: 'Retry',
};

/**
 * Shows `message` with one button per action. A notice with a button stays until dismissed (duration 0 unless
 * given): a button that disappears after a few seconds cannot be clicked.
 */
export function notify(
  host: NoticeHost,
  message: string,
  actions: readonly NoticeAction[] = [],
  duration?: number,
): Notice {
  const notice = new Notice(message, duration ?? (actions.length > 0 ? 0 : undefined));
  for (const action of actions) {
    new ButtonComponent(notice.messageEl).setButtonText(LABELS[action]).onClick(() => {
      notice.hide();
      if (action === 'open-settings') host.openSettings();
      else host.retryPending();
    });
  }
  return notice;
}
