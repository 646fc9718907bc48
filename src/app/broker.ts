import type { BrokerEndpoint } from '../transport/peerjs/broker-endpoint.ts';
import { cloudBroker, parseBrokerUrl, type BrokerChoice } from './settings.ts';

/** Where `npm start`, `npm run preview` and `npm run broker` mount the broker. */
export const sameOriginBrokerPath = '/peerjs';

/**
 * The broker on the app's own origin, if the server that served the app has one: the PeerJS
 * server answers `GET {path}/` with a small JSON document naming itself.
 */
export async function probeSameOriginBroker(
  origin: URL,
  signal?: AbortSignal,
): Promise<BrokerEndpoint | undefined> {
  try {
    const response = await fetch(new URL(`${sameOriginBrokerPath}/`, origin), {
      signal: signal ?? AbortSignal.timeout(3000),
      cache: 'no-store',
    });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null || (body as { name?: unknown }).name !== 'PeerJS Server') {
      return undefined;
    }
  } catch {
    return undefined;
  }
  const secure = origin.protocol === 'https:';
  const port = origin.port === '' ? (secure ? 443 : 80) : Number(origin.port);
  return { host: origin.hostname, port, path: sameOriginBrokerPath, secure };
}

/** The broker to use for a choice, given what the probe of the app's own origin found. */
export function chooseBroker(choice: BrokerChoice, sameOrigin: BrokerEndpoint | undefined): BrokerEndpoint {
  switch (choice.kind) {
    case 'auto':
      return sameOrigin ?? cloudBroker;
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
