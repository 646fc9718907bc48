import { fromBase64Url, toBase64Url } from '../lib/bytes.ts';
import type { PreferenceStore } from '../core/ports.ts';
import { groupIdPattern, groupNonceBytes, type GroupKey } from '../core/groups/group-key.ts';
import { nodeIdPattern } from '../core/identity/ids.ts';

/** A group this identity has in this browser, as the profile keeps it between reloads. */
export interface GroupEntry {
  readonly id: string;
  readonly key: GroupKey;
  /** The name when joined, shown until the group's own record arrives. */
  readonly name: string;
  /** Node ids from the join link, dialled until a member is reached. */
  readonly nodes: readonly string[];
  /** Chat time of the last message the user saw. */
  readonly readUpToMs: number;
  /** The user left: kept read-only until they delete the local copy. */
  readonly left: boolean;
}

interface StoredEntry {
  id: string;
  owner: string;
  nonce: string;
  name: string;
  nodes: string[];
  readUpToMs: number;
  left: boolean;
}

/** The groups of one identity, in the profile's preference store. */
export class GroupList {
  private entries: GroupEntry[] | undefined;

  constructor(
    private readonly preferences: PreferenceStore,
    private readonly identityId: string,
  ) {}

  async all(): Promise<readonly GroupEntry[]> {
    this.entries ??= parseEntries(await this.preferences.get(this.storageKey()));
    return this.entries;
  }

  async get(id: string): Promise<GroupEntry | undefined> {
    return (await this.all()).find((entry) => entry.id === id);
  }

  /** Adds a group, or replaces the entry of the same id. */
  async put(entry: GroupEntry): Promise<void> {
    const others = (await this.all()).filter((existing) => existing.id !== entry.id);
    await this.save([...others, entry]);
  }

  async update(id: string, change: Partial<Omit<GroupEntry, 'id' | 'key'>>): Promise<void> {
    const entry = await this.get(id);
    if (entry !== undefined) await this.put({ ...entry, ...change });
  }

  async remove(id: string): Promise<void> {
    await this.save((await this.all()).filter((entry) => entry.id !== id));
  }

  private async save(entries: GroupEntry[]): Promise<void> {
    const stored: StoredEntry[] = entries.map((entry) => ({
      id: entry.id,
      owner: toBase64Url(entry.key.owner),
      nonce: toBase64Url(entry.key.nonce),
      name: entry.name,
      nodes: [...entry.nodes],
      readUpToMs: entry.readUpToMs,
      left: entry.left,
    }));
    await this.preferences.set(this.storageKey(), stored);
    this.entries = entries;
  }

  private storageKey(): string {
    return `groups.${this.identityId}`;
  }
}

/** Entries as stored, skipping any that a bug or an old version left malformed. */
function parseEntries(value: unknown): GroupEntry[] {
  if (!Array.isArray(value)) return [];
  const out: GroupEntry[] = [];
  for (const item of value as Partial<StoredEntry>[]) {
    try {
      if (typeof item.id !== 'string' || !groupIdPattern.test(item.id)) continue;
      const owner = fromBase64Url(String(item.owner));
      const nonce = fromBase64Url(String(item.nonce));
      if (owner.length !== 32 || nonce.length !== groupNonceBytes) continue;
      out.push({
        id: item.id,
        key: { owner, nonce },
        name: typeof item.name === 'string' ? item.name : 'Group',
        nodes: Array.isArray(item.nodes)
          ? item.nodes.filter((id) => typeof id === 'string' && nodeIdPattern.test(id))
          : [],
        readUpToMs: typeof item.readUpToMs === 'number' ? item.readUpToMs : 0,
        left: item.left === true,
      });
    } catch {
      continue;
    }
  }
  return out;
}
