/** Reaching into the settings tab as a user does: open it, find a setting by the name it shows, use its control. */
import type BytedropPlugin from '../src/main';
import type { BytedropSettingTab } from '../src/settings-tab';
import type { FakeElement, Plugin, Setting } from './fake-obsidian';

export function tabOf(plugin: BytedropPlugin): BytedropSettingTab & { containerEl: FakeElement } {
  const tab = (plugin as unknown as Plugin).settingTabs[0] as unknown as BytedropSettingTab & {
    containerEl: FakeElement;
  };
  tab.display();
  return tab;
}

export function settingsIn(tab: { containerEl: FakeElement }): Setting[] {
  return [...tab.containerEl.walk()]
    .map((el) => (el as FakeElement & { setting?: Setting }).setting)
    .filter((setting): setting is Setting => setting !== undefined);
}

export function find(tab: { containerEl: FakeElement }, name: string): Setting {
  const setting = settingsIn(tab).find((candidate) => candidate.name === name);
  if (!setting) throw new Error(`no setting named '${name}'`);
  return setting;
}

export function control<T>(tab: { containerEl: FakeElement }, name: string): T {
  return find(tab, name).components[0] as T;
}
