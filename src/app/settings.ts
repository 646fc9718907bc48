import { MycelError } from '../lib/errors.ts';
import type { BrokerEndpoint } from '../transport/peerjs/broker-endpoint.ts';

/**
 * Which broker introduces this node to others. `auto` uses the broker of the server the app
 * came from when it has one, else the public PeerJS cloud.
 */
export type BrokerChoice =
  { readonly kind: 'auto' } | { readonly kind: 'cloud' } | { readonly kind: 'custom'; readonly url: string };

/** One STUN or TURN server, as RTCIceServer wants it. */
export interface IceServerSetting {
  readonly urls: string;
  readonly username?: string;
  readonly credential?: string;
}

export interface Settings {
  readonly broker: BrokerChoice;
  readonly iceServers: readonly IceServerSetting[];
}

/** A public STUN server lets links cross home routers; TURN is the user's to add. */
export const defaultSettings: Settings = {
  broker: { kind: 'auto' },
  iceServers: [{ urls: 'stun:stun.l.google.com:19302' }],
};

/** The public PeerJS cloud broker. */
export const cloudBroker: BrokerEndpoint = { host: '0.peerjs.com', port: 443, path: '/', secure: true };

/** A setting that cannot be used; `field` names the control it came from. */
export class SettingsError extends MycelError {
  override name = 'SettingsError';
  readonly field: 'broker' | 'ice';
  constructor(field: 'broker' | 'ice', message: string, hint: string) {
    super(message, { hint });
    this.field = field;
  }
}

/**
 * The broker endpoint of a URL such as `https://broker.example.org/peerjs` or
 * `ws://192.168.1.5:9000/peerjs`. Throws a `SettingsError` that says what is wrong.
 */
export function parseBrokerUrl(text: string): BrokerEndpoint {
  const trimmed = text.trim();
  const example = 'Use a full address such as https://broker.example.org/peerjs.';
  if (trimmed === '') throw new SettingsError('broker', 'The broker URL is empty.', example);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new SettingsError('broker', `"${trimmed}" is not a URL.`, example);
  }
  const schemes: Record<string, boolean> = { 'http:': false, 'ws:': false, 'https:': true, 'wss:': true };
  const secure = schemes[url.protocol];
  if (secure === undefined) {
    throw new SettingsError(
      'broker',
      `A broker URL starts with https://, wss://, http:// or ws://, not ${url.protocol}//.`,
      example,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new SettingsError('broker', 'A broker URL has no user name, password, query or fragment.', example);
  }
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '/';
  return { host: url.hostname, port, path, secure };
}

/** Checks one ICE server entry; throws a `SettingsError` that names the entry. */
export function checkIceServer(entry: IceServerSetting, position: number): IceServerSetting {
  const urls = entry.urls.trim();
  const where = `ICE server ${position}`;
  const match = /^(stuns?|turns?):([^\s?]+)(\?transport=(udp|tcp))?$/.exec(urls);
  if (match === null) {
    throw new SettingsError(
      'ice',
      `${where}: "${urls}" is not a STUN or TURN URL.`,
      'Write it as stun:host:port or turn:host:port (optionally ?transport=tcp).',
    );
  }
  const isTurn = match[1]?.startsWith('turn') === true;
  const username = entry.username?.trim() ?? '';
  const credential = entry.credential ?? '';
  if (isTurn && (username === '' || credential === '')) {
    throw new SettingsError(
      'ice',
      `${where}: a TURN server needs a user name and a password.`,
      'Fill in both fields.',
    );
  }
  return isTurn ? { urls, username, credential } : { urls };
}

/** Checks a whole settings value before it is saved. */
export function checkSettings(settings: Settings): Settings {
  if (settings.broker.kind === 'custom') parseBrokerUrl(settings.broker.url);
  return {
    broker:
      settings.broker.kind === 'custom'
        ? { kind: 'custom', url: settings.broker.url.trim() }
        : settings.broker,
    iceServers: settings.iceServers.map((entry, i) => checkIceServer(entry, i + 1)),
  };
}

/** Settings read back from storage; anything unreadable gives the defaults. */
export function settingsFrom(stored: unknown): Settings {
  if (typeof stored !== 'object' || stored === null) return defaultSettings;
  try {
    return checkSettings(stored as Settings);
  } catch {
    return defaultSettings;
  }
}
