import { expect } from 'chai';
import { dtlsFingerprintOf } from '../../src/transport/sdp-fingerprint.ts';

const hex32 = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0')).join(':');
const other32 = Array.from({ length: 32 }, (_, i) => (i * 5 + 1).toString(16).padStart(2, '0')).join(':');

function sdp(...fingerprints: string[]): string {
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    ...fingerprints.map((f) => `a=fingerprint:${f}`),
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    '',
  ].join('\r\n');
}

describe('DTLS fingerprints from SDP', () => {
  it('reads the SHA-256 fingerprint, normalised to upper case', () => {
    expect(dtlsFingerprintOf(sdp(`sha-256 ${hex32}`))).to.equal(`sha-256 ${hex32.toUpperCase()}`);
    expect(dtlsFingerprintOf(sdp(`SHA-256 ${hex32}`, `sha-256 ${hex32.toUpperCase()}`))).to.equal(
      `sha-256 ${hex32.toUpperCase()}`,
    );
  });

  it('refuses SDP whose certificate is missing, weak, malformed or ambiguous', () => {
    expect(dtlsFingerprintOf(sdp())).to.equal(undefined);
    expect(dtlsFingerprintOf('')).to.equal(undefined);
    expect(dtlsFingerprintOf(sdp(`sha-1 ${hex32.slice(0, 59)}`))).to.equal(undefined);
    expect(dtlsFingerprintOf(sdp(`sha-256 ${hex32.slice(0, 50)}`))).to.equal(undefined);
    expect(dtlsFingerprintOf(sdp(`sha-256 ${hex32}`, `sha-256 ${other32}`))).to.equal(undefined);
    expect(dtlsFingerprintOf(sdp(`sha-256 ${hex32}`, `sha-1 ${hex32.slice(0, 59)}`))).to.equal(undefined);
  });
});
