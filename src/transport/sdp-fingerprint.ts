import type { DtlsFingerprints } from '../core/ports.ts';

/**
 * The DTLS certificate fingerprint an SDP announces (`a=fingerprint:sha-256 AB:CD:…`),
 * normalised to `sha-256 AB:CD:…`. `undefined` when there is none, when it is not SHA-256,
 * or when the SDP announces more than one: a link whose certificate is ambiguous cannot be
 * bound to an identity.
 */
export function dtlsFingerprintOf(sdp: string): string | undefined {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match === null) continue;
    const [, algorithm = '', value = ''] = match;
    if (algorithm.toLowerCase() !== 'sha-256' || !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/i.test(value))
      return undefined;
    found.add(`sha-256 ${value.toUpperCase()}`);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** Both ends' fingerprints of a connected peer connection, or `undefined` if either is missing. */
export function fingerprintsOf(connection: RTCPeerConnection): DtlsFingerprints | undefined {
  const local = dtlsFingerprintOf(connection.localDescription?.sdp ?? '');
  const remote = dtlsFingerprintOf(connection.remoteDescription?.sdp ?? '');
  return local === undefined || remote === undefined ? undefined : { local, remote };
}
