import { utf8 } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import { normalizeDisplayName } from '../identity/display-name.ts';
import type { CollabPreferences, ResolveContact } from './collab-types.ts';
import { cardPayload, type VerifiedCard } from './contact-card.ts';
import { ContactStore, maxContacts, type ContactRecord } from './contact-store.ts';

// The contact list of Windows Peer Collaboration (PeerCollabAddContact and friends): people
// added from their signed cards, each with a nickname, a watch flag and a block flag. Every
// change is written before it shows: a write that fails leaves the list as stored.

/** One contact: a checked card and what this user decided about it. */
export interface Contact extends ContactRecord {
  readonly identityId: string;
  /** The nickname when there is one, else the name on the card. */
  readonly displayName: string;
}

/** Events of `Contacts`. */
export interface ContactsEvents {
  /** The list changed (a contact added, updated or removed, or the list loaded). */
  changed: { readonly identityId?: string };
}

/** What `Contacts` is built from. */
export interface ContactsComponents {
  /** The identity whose contacts these are. */
  readonly identityId: string;
  readonly preferences: CollabPreferences;
  readonly nowMs: () => number;
}

/** The file `exportFile` makes. */
export interface ContactsFile {
  readonly name: 'mycel-contacts.json';
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** The format tag of an exported contacts file. */
export const contactsFileFormat = 'mycel-contacts';

/** This user's own card was given to add as a contact. */
export class OwnCardError extends MycelError {
  override name = 'OwnCardError';

  constructor() {
    super('This is your own contact card.', { hint: 'Share it with others; add theirs to your contacts.' });
  }
}

/** No contact with this identity. */
export class ContactNotFoundError extends MycelError {
  override name = 'ContactNotFoundError';
  readonly identityId: string;

  constructor(identityId: string) {
    super('This person is not in your contacts.', { hint: 'Add them from their contact card first.' });
    this.identityId = identityId;
  }
}

/** The contact list is full. */
export class ContactsFullError extends MycelError {
  override name = 'ContactsFullError';

  constructor() {
    super(`You have ${maxContacts} contacts, the most Mycel keeps.`, {
      hint: 'Delete contacts you no longer need, then add this one again.',
    });
  }
}

function contactOf(record: ContactRecord): Contact {
  return {
    ...record,
    identityId: record.card.identityId,
    displayName: record.nickname === '' ? record.card.displayName : record.nickname,
  };
}

/**
 * An identity's contacts. `load` first; every change is written to the preference store
 * before the in-memory list and `changed` follow it, one change at a time, so concurrent calls
 * never lose each other's writes.
 */
export class Contacts extends TypedEventTarget<ContactsEvents> {
  private readonly components: ContactsComponents;
  private readonly store: ContactStore;
  private contacts = new Map<string, Contact>();
  private writes: Promise<unknown> = Promise.resolve();

  constructor(components: ContactsComponents) {
    super();
    this.components = components;
    this.store = new ContactStore(components.preferences, components.identityId);
  }

  /** Reads the stored list (cards are checked again; bad entries are left out). */
  async load(): Promise<void> {
    await this.serialized(async () => {
      const records = await this.store.load();
      this.contacts = new Map(records.map((record) => [record.card.identityId, contactOf(record)]));
      this.emit('changed', {});
    });
  }

  /** Every contact, by display name. */
  list(): Contact[] {
    return [...this.contacts.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** The contact with this identity id, if any. */
  get(identityId: string): Contact | undefined {
    return this.contacts.get(identityId);
  }

  /**
   * Adds the owner of `card`, or updates a known contact's card when this one is newer
   * (nickname and flags stay). Rejects with `OwnCardError` for this identity's own card and
   * `ContactsFullError` past `maxContacts`.
   */
  add(card: VerifiedCard): Promise<Contact> {
    return this.serialized(async () => {
      if (card.identityId === this.components.identityId) throw new OwnCardError();
      const known = this.contacts.get(card.identityId);
      if (known !== undefined) {
        if (card.issuedAtMs <= known.card.issuedAtMs) return known;
        return this.commit({ ...known, card });
      }
      if (this.contacts.size >= maxContacts) throw new ContactsFullError();
      const addedAtMs = Math.floor(this.components.nowMs());
      return this.commit({ card, nickname: '', watched: true, blocked: false, addedAtMs });
    });
  }

  /**
   * Gives a contact a nickname (normalised like a display name, so it throws
   * `InvalidDisplayNameError` for one that cannot be); an empty one shows the card's name again.
   */
  rename(identityId: string, nickname: string): Promise<void> {
    return this.update(identityId, (known) => {
      const trimmed = nickname.normalize('NFC').trim();
      return { ...known, nickname: trimmed === '' ? '' : normalizeDisplayName(trimmed) };
    });
  }

  /** Deletes a contact; rejects with `ContactNotFoundError` if it is not one. */
  remove(identityId: string): Promise<void> {
    return this.serialized(async () => {
      if (!this.contacts.has(identityId)) throw new ContactNotFoundError(identityId);
      const next = new Map(this.contacts);
      next.delete(identityId);
      await this.store.save(records(next));
      this.contacts = next;
      this.emit('changed', { identityId });
    });
  }

  /** Blocks (or lets again) a contact from watching this identity's presence. */
  setBlocked(identityId: string, blocked: boolean): Promise<void> {
    return this.update(identityId, (known) => ({ ...known, blocked }));
  }

  /** Starts or stops watching a contact's presence. */
  setWatched(identityId: string, watched: boolean): Promise<void> {
    return this.update(identityId, (known) => ({ ...known, watched }));
  }

  /**
   * The contacts as a JSON file: a format tag, a version, and each contact's card (as in a
   * card link) and nickname. The cards are signed, so the file can be read back safely.
   */
  exportFile(): ContactsFile {
    const contacts = this.list().map((contact) => ({
      card: cardPayload(contact.card.bytes),
      nickname: contact.nickname,
    }));
    const text = JSON.stringify({ format: contactsFileFormat, version: 1, contacts }, null, 2);
    return { name: 'mycel-contacts.json', bytes: utf8(text) };
  }

  /** Whether the identity is a contact that may watch this identity's presence. */
  mayWatch(identityId: string): 'yes' | 'not-a-contact' | 'blocked' {
    const contact = this.contacts.get(identityId);
    if (contact === undefined) return 'not-a-contact';
    return contact.blocked ? 'blocked' : 'yes';
  }

  private update(identityId: string, change: (known: Contact) => ContactRecord): Promise<void> {
    return this.serialized(async () => {
      const known = this.contacts.get(identityId);
      if (known === undefined) throw new ContactNotFoundError(identityId);
      await this.commit(change(known));
    });
  }

  /** Writes the list with `record` in it, then shows it. */
  private async commit(record: ContactRecord): Promise<Contact> {
    const contact = contactOf(record);
    const next = new Map(this.contacts);
    next.set(contact.identityId, contact);
    await this.store.save(records(next));
    this.contacts = next;
    this.emit('changed', { identityId: contact.identityId });
    return contact;
  }

  /** Runs `change` after every earlier one has settled, whatever their outcome. */
  private serialized<T>(change: () => Promise<T>): Promise<T> {
    const run = this.writes.then(change);
    // The caller gets the failure through `run`; the chain only orders the next change after it.
    this.writes = run.catch(() => undefined);
    return run;
  }
}

function records(contacts: ReadonlyMap<string, Contact>): ContactRecord[] {
  return [...contacts.values()].map(({ card, nickname, watched, blocked, addedAtMs }) => ({
    card,
    nickname,
    watched,
    blocked,
    addedAtMs,
  }));
}

/**
 * Where a contact's nodes are now: its secured name resolved, or else the node its card was
 * made on (node ids are stable per browser profile, so the hint is often still right).
 */
export async function contactEndpoints(
  resolveContact: ResolveContact,
  card: VerifiedCard,
): Promise<readonly string[]> {
  const resolved = await resolveContact(card.identityId);
  if (resolved.length > 0) return resolved;
  return card.nodeHint === undefined ? [] : [card.nodeHint];
}
