/**
 * Obsidian's Notice, Setting and its components. Components keep their value and callbacks; `simulate…` helpers
 * play the user (typing, toggling, picking, clicking) so a test can drive the settings tab.
 */
import type { App } from './app';
import { FakeElement } from './dom';

export class Notice {
  /** Test helper: every message shown, in order. */
  static readonly shown: string[] = [];
  /** Test helper: every notice shown, in order (their buttons are in `messageEl`). */
  static readonly instances: Notice[] = [];
  readonly containerEl = new FakeElement('div', { cls: 'notice-container' });
  readonly noticeEl: FakeElement;
  /** Since 1.8.7: the element holding the message; plugins may add their own elements to it. */
  readonly messageEl: FakeElement;
  message: string;
  /** Test helper: the duration asked for (0 stays until dismissed). */
  readonly duration: number | undefined;
  hidden = false;

  constructor(message: string, duration?: number) {
    this.noticeEl = this.containerEl.createDiv({ cls: 'notice' });
    this.messageEl = this.noticeEl.createDiv({ cls: 'notice-message', text: message });
    this.message = message;
    this.duration = duration;
    Notice.shown.push(message);
    Notice.instances.push(this);
  }

  setMessage(message: string): this {
    this.message = message;
    this.messageEl.setText(message);
    Notice.shown.push(message);
    return this;
  }

  hide(): void {
    this.hidden = true;
  }

  /** Test helper: the buttons in the notice, by their text. */
  buttons(): ButtonComponent[] {
    return [...this.messageEl.walk()]
      .map((el) => (el as FakeElement & { component?: ButtonComponent }).component)
      .filter((component): component is ButtonComponent => component instanceof ButtonComponent);
  }
}

export class BaseComponent {
  disabled = false;

  setDisabled(disabled: boolean): this {
    this.disabled = disabled;
    return this;
  }
}

class ValueComponent<T> extends BaseComponent {
  value: T;
  #onChange: ((value: T) => unknown) | undefined;

  constructor(initial: T) {
    super();
    this.value = initial;
  }

  getValue(): T {
    return this.value;
  }

  setValue(value: T): this {
    this.value = value;
    return this;
  }

  onChange(callback: (value: T) => unknown): this {
    this.#onChange = callback;
    return this;
  }

  /** Test helper: the user changes the value; resolves when the plugin's handler has. */
  async simulate(value: T): Promise<void> {
    this.value = value;
    await this.#onChange?.(value);
  }
}

export class TextComponent extends ValueComponent<string> {
  readonly inputEl = new FakeElement('input');
  placeholder = '';

  constructor(_containerEl?: unknown) {
    super('');
  }

  setPlaceholder(placeholder: string): this {
    this.placeholder = placeholder;
    return this;
  }
}

export class TextAreaComponent extends TextComponent {}

export class ToggleComponent extends ValueComponent<boolean> {
  constructor(_containerEl?: unknown) {
    super(false);
  }
}

export class DropdownComponent extends ValueComponent<string> {
  readonly options: Record<string, string> = {};

  constructor(_containerEl?: unknown) {
    super('');
  }

  addOption(value: string, display: string): this {
    this.options[value] = display;
    if (this.value === '') this.value = value;
    return this;
  }

  addOptions(options: Record<string, string>): this {
    for (const [value, display] of Object.entries(options)) this.addOption(value, display);
    return this;
  }
}

export class SecretComponent extends ValueComponent<string> {
  constructor(_app: App, _containerEl: unknown) {
    super('');
  }
}

export class ButtonComponent extends BaseComponent {
  /** The `<button>`, created in the container as Obsidian's component does. */
  readonly buttonEl: FakeElement;
  text = '';
  cta = false;
  #onClick: ((event: unknown) => unknown) | undefined;

  constructor(containerEl?: FakeElement) {
    super();
    this.buttonEl = (containerEl ?? new FakeElement()).createEl('button');
    (this.buttonEl as FakeElement & { component?: ButtonComponent }).component = this;
  }

  setButtonText(text: string): this {
    this.text = text;
    this.buttonEl.setText(text);
    return this;
  }

  setCta(): this {
    this.cta = true;
    return this;
  }

  setWarning(): this {
    return this;
  }

  setTooltip(_tooltip: string): this {
    return this;
  }

  setIcon(_icon: string): this {
    return this;
  }

  onClick(callback: (event: unknown) => unknown): this {
    this.#onClick = callback;
    return this;
  }

  /** Test helper: the user clicks; resolves when the plugin's handler has. */
  async click(): Promise<void> {
    await this.#onClick?.({});
  }
}

export class ExtraButtonComponent extends ButtonComponent {}

type Component =
  | TextComponent
  | ToggleComponent
  | DropdownComponent
  | ButtonComponent
  | SecretComponent
  | BaseComponent;

export class Setting {
  readonly settingEl: FakeElement;
  readonly infoEl: FakeElement;
  readonly nameEl: FakeElement;
  readonly descEl: FakeElement;
  readonly controlEl: FakeElement;
  readonly components: Component[] = [];
  name = '';
  desc = '';
  heading = false;
  errorMessage: string | null = null;

  constructor(containerEl: FakeElement) {
    this.settingEl = containerEl.createDiv({ cls: 'setting-item' });
    (this.settingEl as FakeElement & { setting?: Setting }).setting = this;
    this.infoEl = this.settingEl.createDiv({ cls: 'setting-item-info' });
    this.nameEl = this.infoEl.createDiv({ cls: 'setting-item-name' });
    this.descEl = this.infoEl.createDiv({ cls: 'setting-item-description' });
    this.controlEl = this.settingEl.createDiv({ cls: 'setting-item-control' });
  }

  setName(name: string): this {
    this.name = name;
    this.nameEl.setText(name);
    return this;
  }

  setDesc(desc: string): this {
    this.desc = desc;
    this.descEl.setText(desc);
    return this;
  }

  setClass(cls: string): this {
    this.settingEl.addClass(cls);
    return this;
  }

  setTooltip(_tooltip: string): this {
    return this;
  }

  setHeading(): this {
    this.heading = true;
    this.settingEl.addClass('setting-item-heading');
    return this;
  }

  setDisabled(disabled: boolean): this {
    for (const component of this.components) component.setDisabled(disabled);
    return this;
  }

  setErrorMessage(message: string | null): this {
    this.errorMessage = message;
    return this;
  }

  #add<T extends Component>(component: T, callback: (component: T) => unknown): this {
    this.components.push(component);
    callback(component);
    return this;
  }

  addText(callback: (component: TextComponent) => unknown): this {
    return this.#add(new TextComponent(), callback);
  }

  addTextArea(callback: (component: TextAreaComponent) => unknown): this {
    return this.#add(new TextAreaComponent(), callback);
  }

  addToggle(callback: (component: ToggleComponent) => unknown): this {
    return this.#add(new ToggleComponent(), callback);
  }

  addDropdown(callback: (component: DropdownComponent) => unknown): this {
    return this.#add(new DropdownComponent(), callback);
  }

  addButton(callback: (component: ButtonComponent) => unknown): this {
    return this.#add(new ButtonComponent(this.controlEl), callback);
  }

  addExtraButton(callback: (component: ExtraButtonComponent) => unknown): this {
    return this.#add(new ExtraButtonComponent(this.controlEl), callback);
  }

  addComponent<T extends BaseComponent>(callback: (el: FakeElement) => T): this {
    this.components.push(callback(this.controlEl));
    return this;
  }
}
