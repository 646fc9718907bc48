import type { BrokerEndpoint } from '../transport/peerjs/broker-endpoint.ts';
import { cloudBroker, parseBrokerUrl, type BrokerChoice } from './settings.ts';

/** Where `npm start`, `npm run preview` and `npm run broker` mount the broker. */
export const sameOriginBrokerPath = '/peerjs';

/**
 * What asking the app's own server for a broker found: `found` it, `absent` (the server
 * answered without one, e.g. a static host), or `unreachable` (offline: ask again later).
 */
export type SameOriginProbe =
  | { readonly result: 'found'; readonly broker: BrokerEndpoint }
  | { readonly result: 'absent' }
  | { readonly result: 'unreachable' };

/**
 * Looks for a broker on the app's own origin: the PeerJS server answers `GET {path}/` with
 * a small JSON document naming itself.
 */
export async function probeSameOriginBroker(origin: URL, signal?: AbortSignal): Promise<SameOriginProbe> {
  let response: Response;
  try {
    response = await fetch(new URL(`${sameOriginBrokerPath}/`, origin), {
      signal: signal ?? AbortSignal.timeout(5000),
      cache: 'no-store',
    });
  } catch {
    return { result: 'unreachable' };
  }
  const body: unknown = response.ok ? await response.json().catch(() => undefined) : undefined;
  if (typeof body !== 'object' || body === null || (body as { name?: unknown }).name !== 'PeerJS Server') {
    return { result: 'absent' };
  }
  const secure = origin.protocol === 'https:';
  const port = origin.port === '' ? (secure ? 443 : 80) : Number(origin.port);
  return { result: 'found', broker: { host: origin.hostname, port, path: sameOriginBrokerPath, secure } };
}

/**
 * The broker to use for a choice, given the probe of the app's own origin; `undefined` when
 * `auto` cannot decide yet because the origin is unreachable.
 */
export function chooseBroker(choice: BrokerChoice, sameOrigin: SameOriginProbe): BrokerEndpoint | undefined {
  switch (choice.kind) {
    case 'auto':
      if (sameOrigin.result === 'found') return sameOrigin.broker;
      return sameOrigin.result === 'absent' ? cloudBroker : undefined;
    case 'cloud':
      return cloudBroker;
    case 'custom':
      return parseBrokerUrl(choice.url);
  }
}

/** A broker as a person would write its address. */
export function brokerLabel(broker: BrokerEndpoint): string {
  const scheme = broker.secure ? 'https' : 'http';
  const defaultPort = broker.secure ? 443 : 80;
  const port = broker.port === defaultPort ? '' : `:${broker.port}`;
  return `${scheme}://${broker.host}${port}${broker.path === '/' ? '' : broker.path}`;
}
