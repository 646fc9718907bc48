import type { CollabPreferences } from './collab-types.ts';
import { checkCard, maxCardBytes, type VerifiedCard } from './contact-card.ts';

// Contacts are kept per identity in the preference store, as one array of plain objects: the
// card's exact signed bytes and what this user decided about the contact. The card is checked
// again on load, so a damaged or edited store yields fewer contacts, never a forged one.

/** The most contacts one identity keeps: a contact list, not an address book of a city. */
export const maxContacts = 1000;

/** One contact as kept: the card and this user's choices about it. */
export interface ContactRecord {
  readonly card: VerifiedCard;
  /** The name this user gave the contact; '' for none (the card's name is shown). */
  readonly nickname: string;
  /** Whether this node watches the contact's presence. */
  readonly watched: boolean;
  /** Whether the contact is refused when it watches this node's presence ("block watching"). */
  readonly blocked: boolean;
  readonly addedAtMs: number;
}

/** The stored form of a `ContactRecord`: structured-clonable, version 1. */
interface StoredContact {
  readonly card: Uint8Array;
  readonly nickname: string;
  readonly watched: boolean;
  readonly blocked: boolean;
  readonly addedAtMs: number;
}

/** The preference key of an identity's contacts. */
export function contactsKey(identityId: string): string {
  return `contacts/${identityId}`;
}

/** An identity's contact list in the preference store. */
export class ContactStore {
  private readonly preferences: CollabPreferences;
  private readonly key: string;

  constructor(preferences: CollabPreferences, identityId: string) {
    this.preferences = preferences;
    this.key = contactsKey(identityId);
  }

  /**
   * The stored contacts whose entries are well formed and whose cards check out, first of
   * each identity only. Rejects only when the store cannot be read.
   */
  async load(): Promise<ContactRecord[]> {
    const stored = await this.preferences.get(this.key);
    if (!Array.isArray(stored)) return [];
    const entries: readonly unknown[] = stored;
    const records: ContactRecord[] = [];
    const seen = new Set<string>();
    for (const entry of entries.slice(0, maxContacts)) {
      if (!isStoredContact(entry)) continue;
      const checked = await checkCard(entry.card);
      if (!checked.ok || seen.has(checked.card.identityId)) continue;
      seen.add(checked.card.identityId);
      const { nickname, watched, blocked, addedAtMs } = entry;
      records.push({ card: checked.card, nickname, watched, blocked, addedAtMs });
    }
    return records;
  }

  /** Replaces the stored list with `records`; rejects with the store's error. */
  async save(records: readonly ContactRecord[]): Promise<void> {
    const stored: StoredContact[] = records.map((record) => ({
      card: new Uint8Array(record.card.bytes),
      nickname: record.nickname,
      watched: record.watched,
      blocked: record.blocked,
      addedAtMs: record.addedAtMs,
    }));
    await this.preferences.set(this.key, stored);
  }
}

function isStoredContact(value: unknown): value is StoredContact {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<Record<keyof StoredContact, unknown>>;
  return (
    entry.card instanceof Uint8Array &&
    entry.card.length <= maxCardBytes &&
    typeof entry.nickname === 'string' &&
    // A nickname is a display name (64 code points at most) or empty; UTF-16 doubles that at most.
    entry.nickname.length <= 128 &&
    typeof entry.watched === 'boolean' &&
    typeof entry.blocked === 'boolean' &&
    typeof entry.addedAtMs === 'number' &&
    Number.isFinite(entry.addedAtMs)
  );
}
