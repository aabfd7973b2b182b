/** A confirmation dialog: what will happen, line by line, and a button that does it. Resolves whether it was clicked. */
import { type App, Modal, Setting } from 'obsidian';

export interface Confirmation {
  title: string;
  /** One paragraph each. */
  lines: readonly string[];
  /** The button's text, naming the action ("Delete 2 files"). */
  action: string;
  /** The action destroys something: the button is shown as a warning. */
  destructive?: boolean;
}

export function confirm(app: App, { title, lines, action, destructive }: Confirmation): Promise<boolean> {
  return new Promise((resolve) => {
    const modal = new Modal(app);
    let confirmed = false;
    modal.setTitle(title);
    for (const line of lines) modal.contentEl.createEl('p', { text: line });
    new Setting(modal.contentEl)
      .addButton((button) => button.setButtonText('Cancel').onClick(() => modal.close()))
      .addButton((button) => {
        button.setButtonText(action).onClick(() => {
          confirmed = true;
          modal.close();
        });
        if (destructive) button.setWarning();
        else button.setCta();
      });
    modal.setCloseCallback(() => resolve(confirmed));
    modal.open();
  });
}
