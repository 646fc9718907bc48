import { TypedEventTarget } from '../lib/events.ts';
import type { PreferenceStore } from '../core/ports.ts';
import { checkSettings, defaultSettings, settingsFrom, type Settings } from './settings.ts';

const settingsKey = 'settings';

/** The user's settings, persisted in the profile's preference store. */
export class AppSettings extends TypedEventTarget<{ changed: Settings }> {
  private readonly store: PreferenceStore;
  private value: Settings = defaultSettings;

  constructor(store: PreferenceStore) {
    super();
    this.store = store;
  }

  get current(): Settings {
    return this.value;
  }

  async load(): Promise<Settings> {
    this.value = settingsFrom(await this.store.get(settingsKey));
    return this.value;
  }

  /** Checks and stores new settings; on a `SettingsError` nothing changes. */
  async save(next: Settings): Promise<Settings> {
    const checked = checkSettings(next);
    await this.store.set(settingsKey, checked);
    this.value = checked;
    this.emit('changed', checked);
    return checked;
  }
}
