import { expect } from 'chai';
import { chooseBroker } from '../../src/app/broker.ts';
import {
  checkIceServer,
  checkSettings,
  cloudBroker,
  parseBrokerUrl,
  SettingsError,
  settingsFrom,
  defaultSettings,
} from '../../src/app/settings.ts';

describe('settings', () => {
  it('reads broker URLs in the forms people write them', () => {
    expect(parseBrokerUrl('https://broker.example.org/peerjs')).to.deep.equal({
      host: 'broker.example.org',
      port: 443,
      path: '/peerjs',
      secure: true,
    });
    expect(parseBrokerUrl(' ws://192.168.1.5:9000/peerjs/ ')).to.deep.equal({
      host: '192.168.1.5',
      port: 9000,
      path: '/peerjs',
      secure: false,
    });
    expect(parseBrokerUrl('wss://0.peerjs.com')).to.deep.equal({ ...cloudBroker });
  });

  it('refuses broker URLs it cannot use, saying why', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['not a url', /is not a URL/],
      ['ftp://example.org/peerjs', /starts with https:\/\/, wss:\/\/, http:\/\/ or ws:\/\/, not ftp/],
      ['https://user:secret@example.org/peerjs', /no user name/],
      ['https://example.org/peerjs?x=1', /no user name, password, query/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseBrokerUrl(text), text).to.throw(SettingsError, message);
    }
  });

  it('checks STUN and TURN entries', () => {
    expect(checkIceServer({ urls: ' stun:stun.example.org:3478 ' }, 1)).to.deep.equal({
      urls: 'stun:stun.example.org:3478',
    });
    expect(
      checkIceServer(
        { urls: 'turns:turn.example.org:5349?transport=tcp', username: 'u', credential: 'p' },
        2,
      ),
    ).to.deep.equal({ urls: 'turns:turn.example.org:5349?transport=tcp', username: 'u', credential: 'p' });
    expect(() => checkIceServer({ urls: 'turn:turn.example.org:3478' }, 3)).to.throw(
      SettingsError,
      /ICE server 3.*user name/,
    );
    expect(() => checkIceServer({ urls: 'http://x' }, 1)).to.throw(SettingsError, /not a STUN or TURN URL/);
  });

  it('falls back to the defaults for stored values it cannot read', () => {
    expect(settingsFrom(undefined)).to.equal(defaultSettings);
    expect(settingsFrom('garbage')).to.equal(defaultSettings);
    expect(settingsFrom({ broker: { kind: 'custom', url: 'nope' }, iceServers: [] })).to.equal(
      defaultSettings,
    );
    expect(settingsFrom({ broker: { kind: 'cloud' }, iceServers: 7 })).to.equal(defaultSettings);
    const stored = { broker: { kind: 'cloud' }, iceServers: [] };
    expect(settingsFrom(stored)).to.deep.equal(checkSettings(stored as never));
  });

  it('picks the same-origin broker when there is one, the cloud when the server has none, and waits when offline', () => {
    const local = { host: 'localhost', port: 5173, path: '/peerjs', secure: false };
    expect(chooseBroker({ kind: 'auto' }, { result: 'found', broker: local })).to.equal(local);
    expect(chooseBroker({ kind: 'auto' }, { result: 'absent' })).to.equal(cloudBroker);
    expect(chooseBroker({ kind: 'auto' }, { result: 'unreachable' })).to.equal(undefined);
    expect(chooseBroker({ kind: 'cloud' }, { result: 'found', broker: local })).to.equal(cloudBroker);
    expect(
      chooseBroker({ kind: 'custom', url: 'https://b.example.org/x' }, { result: 'unreachable' }),
    ).to.deep.equal({
      host: 'b.example.org',
      port: 443,
      path: '/x',
      secure: true,
    });
  });
});
