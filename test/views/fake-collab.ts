import { TypedEventTarget } from '../../src/lib/events.ts';
import type {
  CardPreview,
  CollabApi,
  CollabState,
  ContactView,
  NameCloud,
  NameResultView,
  PresenceStatus,
} from '../../src/app/collab-types.ts';

/** A 52-character identity id starting with `start` (lower-case base32 letters). */
export function identityIdOf(start: string): string {
  return start.padEnd(52, 'a');
}

export const myIdentityId = identityIdOf('self');

export function contact(name: string, change: Partial<ContactView> = {}): ContactView {
  return {
    identityId: identityIdOf(name.toLowerCase().replace(/[^a-z]/g, '')),
    displayName: name,
    cardName: name,
    colour: '#3366aa',
    presence: { status: 'online', text: '' },
    watched: true,
    blocked: false,
    addedAtMs: 0,
    ...change,
  };
}

export function emptyState(change: Partial<CollabState> = {}): CollabState {
  return {
    me: {
      link: 'https://mycel.example/#/contact/bWUtY2FyZA',
      peerName: `${myIdentityId}.contact`,
      colour: '#aa3366',
    },
    presence: { status: 'online', text: '' },
    contacts: [],
    incoming: [],
    outgoing: [],
    nearby: { signedIn: false, people: [] },
    receivedCards: [],
    names: [],
    online: true,
    ...change,
  };
}

/** One call the fake recorded: the method's name and its arguments. */
export type Call = readonly [method: string, ...args: unknown[]];

type AsyncMethod = {
  [K in keyof CollabApi]: CollabApi[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof CollabApi];

/**
 * A `CollabApi` for component tests: records every call, answers with what the test set up
 * (`answer`), and emits `changed` when the test changes the state (`update`).
 */
export class FakeCollab extends TypedEventTarget<{ changed: CollabState }> implements CollabApi {
  state: CollabState;
  readonly calls: Call[] = [];
  private readonly answers = new Map<string, (...args: never[]) => Promise<unknown>>();

  constructor(state: CollabState = emptyState()) {
    super();
    this.state = state;
  }

  /** Makes `method` answer with `answer` from now on (to fail, return a rejected promise). */
  answer<K extends AsyncMethod>(method: K, answer: CollabApi[K]): void {
    this.answers.set(method, answer);
  }

  /** Makes `method` reject with `error`. */
  fail(method: AsyncMethod, error: Error): void {
    this.answers.set(method, () => Promise.reject(error));
  }

  update(change: Partial<CollabState>): void {
    this.state = { ...this.state, ...change };
    this.emit('changed', this.state);
  }

  /** Calls of `method`, as their argument lists. */
  callsOf(method: keyof CollabApi): unknown[][] {
    return this.calls.filter(([name]) => name === method).map(([, ...args]) => args);
  }

  setPresence(status: PresenceStatus, text: string): Promise<void> {
    return this.call('setPresence', [status, text], undefined);
  }

  previewCard(link: string): Promise<CardPreview> {
    return this.call('previewCard', [link], {
      identityId: identityIdOf('bob'),
      displayName: 'Bob',
      colour: '#228833',
      known: false,
      own: false,
    });
  }

  addContact(link: string): Promise<ContactView> {
    return this.call('addContact', [link], contact('Bob'));
  }

  renameContact(identityId: string, nickname: string): Promise<void> {
    return this.call('renameContact', [identityId, nickname], undefined);
  }

  deleteContact(identityId: string): Promise<void> {
    return this.call('deleteContact', [identityId], undefined);
  }

  setBlocked(identityId: string, blocked: boolean): Promise<void> {
    return this.call('setBlocked', [identityId, blocked], undefined);
  }

  setWatched(identityId: string, watched: boolean): Promise<void> {
    return this.call('setWatched', [identityId, watched], undefined);
  }

  exportContacts(): Promise<{ readonly name: string; readonly bytes: Uint8Array<ArrayBuffer> }> {
    return this.call('exportContacts', [], {
      name: 'mycel-contacts.json',
      bytes: new Uint8Array([123, 125]),
    });
  }

  inviteToGroup(identityId: string, groupId: string): Promise<void> {
    return this.call('inviteToGroup', [identityId, groupId], undefined);
  }

  answerInvitation(id: string, accept: boolean): Promise<string | undefined> {
    return this.call('answerInvitation', [id, accept], accept ? `g${'a'.repeat(32)}` : undefined);
  }

  dismissOutgoing(id: string): void {
    this.calls.push(['dismissOutgoing', id]);
  }

  signInNearby(): Promise<void> {
    return this.call('signInNearby', [], undefined);
  }

  signOutNearby(): Promise<void> {
    return this.call('signOutNearby', [], undefined);
  }

  sendCardTo(identityId: string): Promise<void> {
    return this.call('sendCardTo', [identityId], undefined);
  }

  dismissCard(identityId: string): void {
    this.calls.push(['dismissCard', identityId]);
  }

  registerName(
    classifier: string,
    options: { secured: boolean; payloadText: string; cloud: NameCloud },
  ): Promise<void> {
    return this.call('registerName', [classifier, options], undefined);
  }

  unregisterName(name: string): Promise<void> {
    return this.call('unregisterName', [name], undefined);
  }

  resolveName(name: string, cloud: NameCloud): Promise<NameResultView> {
    return this.call('resolveName', [name, cloud], {
      name,
      records: [],
      hops: 0,
      fromCache: false,
      elapsedMs: 0,
    });
  }

  private call<T>(method: AsyncMethod, args: unknown[], fallback: T): Promise<T> {
    this.calls.push([method, ...args]);
    const answer = this.answers.get(method);
    return answer === undefined ? Promise.resolve(fallback) : (answer(...(args as never[])) as Promise<T>);
  }
}

/** Test helpers over a component's shadow root. */
export function rootOf(element: HTMLElement): ShadowRoot {
  if (element.shadowRoot === null) throw new Error(`${element.localName} has no shadow root`);
  return element.shadowRoot;
}

export const textOf = (node: Element | ShadowRoot | null | undefined): string =>
  node?.textContent.replace(/\s+/g, ' ').trim() ?? '';

/** The button whose accessible name (aria-label, else text) is `name`. */
export function buttonNamed(scope: ParentNode, name: string): HTMLButtonElement {
  const found = [...scope.querySelectorAll('button')].find(
    (b) => (b.getAttribute('aria-label') ?? textOf(b)) === name,
  );
  if (found === undefined) throw new Error(`no button named "${name}"`);
  return found;
}

/** Whether a button named `name` is in `scope`. */
export function hasButton(scope: ParentNode, name: string): boolean {
  return [...scope.querySelectorAll('button')].some(
    (b) => (b.getAttribute('aria-label') ?? textOf(b)) === name,
  );
}

/** The form control a `<label>` whose text starts with `name` labels. */
export function controlLabelled(scope: ParentNode, name: string): HTMLInputElement | HTMLSelectElement {
  const label = [...scope.querySelectorAll('label')].find((l) => textOf(l).startsWith(name));
  const control = label?.control;
  if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) {
    throw new Error(`no control labelled "${name}"`);
  }
  return control;
}

/** Texts of the live regions of `role` in `scope`. */
export function regions(scope: ParentNode, role: 'status' | 'alert'): string[] {
  return [...scope.querySelectorAll(`[role="${role}"]`)].map((node) => textOf(node));
}

/** Lets pending promise callbacks run, then waits for `element` to render. */
export async function settle(element: { updateComplete: Promise<boolean> }): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await element.updateComplete;
}

/** Types `value` into `input` as a person would, firing `input`. */
export function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
}

/** A promise and its resolve, for holding an answer until the test lets it go. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settleWith) => (resolve = settleWith));
  return { promise, resolve };
}

const mounted: HTMLElement[] = [];

/** Adds `element` to the page for one test (see `unmountAll`). */
export async function mount<E extends HTMLElement & { updateComplete: Promise<boolean> }>(
  element: E,
): Promise<E> {
  document.body.append(element);
  mounted.push(element);
  await element.updateComplete;
  return element;
}

export function unmountAll(): void {
  for (const element of mounted.splice(0)) element.remove();
}
