import { expect } from 'chai';
import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { provide } from '@lit/context';
import { MycelError, messageOf } from '../../src/lib/errors.ts';
import { TypedEventTarget } from '../../src/lib/events.ts';
import type { App } from '../../src/app/app.ts';
import { appContext } from '../../src/app/context.ts';
import type { MeshLinkInfo, MeshSnapshot } from '../../src/core/mesh/mesh-types.ts';
import '../../src/views/network-view.ts';
import type { NetworkView } from '../../src/views/network-view.ts';

/** Provides an app to its light-DOM children, as the shell does. */
@customElement('test-network-app-provider')
class TestAppProvider extends LitElement {
  @provide({ context: appContext })
  @property({ attribute: false })
  app: App | undefined;

  override render() {
    return html`<slot></slot>`;
  }
}

interface FakeState {
  readonly connection: { readonly state: 'online'; readonly nodeId: string };
  readonly mesh: MeshSnapshot | undefined;
}

/** The part of `App` the Network page reads, driven by the test. */
class FakeApp extends TypedEventTarget<{ changed: FakeState }> {
  state: FakeState;
  readonly connectCalls: string[] = [];
  connectResult: Promise<void> = Promise.resolve();

  constructor(mesh: MeshSnapshot | undefined) {
    super();
    this.state = { connection: { state: 'online', nodeId: selfId }, mesh };
  }

  showMesh(mesh: MeshSnapshot | undefined): void {
    this.state = { ...this.state, mesh };
    this.emit('changed', this.state);
  }

  connectTo(nodeId: string): Promise<void> {
    this.connectCalls.push(nodeId);
    return this.connectResult;
  }
}

/** A well-formed node id starting with `m` + `start`. */
function nodeId(start: string): string {
  return ('m' + start).padEnd(33, 'a');
}

const selfId = nodeId('self');
const t0 = 1_700_000_000_000;

function link(start: string, change: Partial<MeshLinkInfo> = {}): MeshLinkInfo {
  return {
    nodeId: nodeId(start),
    route: 'broker',
    rttMs: 20,
    bytesIn: 0,
    bytesOut: 0,
    openedAtMs: t0,
    ...change,
  };
}

function snapshot(change: Partial<MeshSnapshot> = {}): MeshSnapshot {
  return {
    nodeId: selfId,
    status: 'has-connections',
    brokerOnline: true,
    neighbors: [],
    known: [],
    rejections: {},
    takenAtMs: t0,
    ...change,
  };
}

const busyMesh = snapshot({
  neighbors: [
    link('dddd', { route: 'mesh', rttMs: 12.4, bytesIn: 512, bytesOut: 1536, openedAtMs: t0 - 125_000 }),
    link('bbbb', { rttMs: undefined, bytesIn: 3 * 1024 * 1024 + 300_000, bytesOut: 20 * 1024 }),
    link('cccc', { rttMs: 340 }),
  ],
  known: ['kkkk', 'jjjj', 'llll', 'mmmm', 'nnnn'].map(nodeId),
  rejections: { 'bad signature': 2, 'frame too large': 7, 'unknown sender': 2 },
  takenAtMs: t0,
});

const mounted: HTMLElement[] = [];

async function mount(app: FakeApp): Promise<NetworkView> {
  const provider = new TestAppProvider();
  provider.app = app as unknown as App;
  const view = document.createElement('mycel-network-view');
  provider.append(view);
  document.body.append(provider);
  mounted.push(provider);
  await view.updateComplete;
  await picture(view)?.updateComplete;
  return view;
}

/** Lets pending promise callbacks run, then waits for the view to render what they changed. */
async function settle(view: NetworkView): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await view.updateComplete;
  await picture(view)?.updateComplete;
}

function root(view: NetworkView): ShadowRoot {
  if (view.shadowRoot === null) throw new Error('the view has no shadow root');
  return view.shadowRoot;
}

function picture(view: NetworkView) {
  return root(view).querySelector('mycel-mesh-picture');
}

function pictureImage(view: NetworkView): SVGSVGElement {
  const image = picture(view)?.shadowRoot?.querySelector<SVGSVGElement>('svg[role="img"]');
  if (image == null) throw new Error('no picture of the mesh');
  return image;
}

const text = (node: Element | null | undefined): string =>
  node?.textContent.replace(/\s+/g, ' ').trim() ?? '';

/** The body rows of the table with this caption, as cell texts. */
function tableRows(view: NetworkView, caption: string): string[][] {
  const table = [...root(view).querySelectorAll('table')].find((t) => text(t.caption) === caption);
  if (table === undefined) throw new Error(`no table captioned ${caption}`);
  const rows = table.querySelectorAll<HTMLTableRowElement>('tbody tr');
  return [...rows].map((row) => [...row.cells].map((cell) => text(cell)));
}

function button(view: NetworkView, name: string): HTMLButtonElement {
  const found = [...root(view).querySelectorAll('button')].find((b) => text(b) === name);
  if (found === undefined) throw new Error(`no button named ${name}`);
  return found;
}

function labelledInput(view: NetworkView, label: string): HTMLInputElement {
  const labelElement = [...root(view).querySelectorAll('label')].find((l) => text(l) === label);
  const input = labelElement?.control;
  if (!(input instanceof HTMLInputElement)) throw new Error(`no input labelled ${label}`);
  return input;
}

const statuses = (view: NetworkView): string[] =>
  [...root(view).querySelectorAll('[role="status"]')].map((node) => text(node));

describe('network view', () => {
  afterEach(() => {
    for (const element of mounted.splice(0)) element.remove();
  });

  it('draws this node, each neighbour on the inner ring and each known node on the outer ring', async () => {
    const view = await mount(new FakeApp(busyMesh));
    const image = pictureImage(view);
    expect(image.getAttribute('aria-label')).to.equal('This node with 3 neighbours and 5 known nodes');
    expect(image.querySelectorAll('circle.self')).to.have.length(1);
    expect(image.querySelectorAll('circle.neighbor')).to.have.length(3);
    expect(image.querySelectorAll('circle.known')).to.have.length(5);
    expect([...image.querySelectorAll('text.neighbor-label')].map((t) => text(t))).to.deep.equal([
      'bbbbaaaa',
      'ccccaaaa',
      'ddddaaaa',
    ]);
    expect([...image.querySelectorAll('text.known-label')].map((t) => text(t))).to.deep.equal([
      'jjjjaaaa',
      'kkkkaaaa',
      'llllaaaa',
      'mmmmaaaa',
      'nnnnaaaa',
    ]);
    const lines = [...image.querySelectorAll('line.link')].map((line) => line.getAttribute('class'));
    expect(lines).to.deep.equal(['link unknown', 'link bad', 'link fast']);
  });

  it('says where the node stands, with its id and the broker', async () => {
    const view = await mount(new FakeApp(busyMesh));
    expect(text(root(view).querySelector('h1'))).to.equal('Network');
    expect(text(root(view).querySelector('dl'))).to.contain(selfId);
    expect(statuses(view)).to.include('Connected to 3 neighbours');
    expect(text(root(view).querySelector('dl'))).to.match(/Broker\s*Connected/);
  });

  it('lists each link with its route, round trip, bytes and age in human units', async () => {
    const view = await mount(new FakeApp(busyMesh));
    expect(tableRows(view, 'Links')).to.deep.equal([
      ['ddddaaaa', 'Mesh', '12 ms', '512 B', '1.5 KiB', '2 min'],
      ['bbbbaaaa', 'Broker', 'unknown', '3.3 MiB', '20 KiB', '0 s'],
      ['ccccaaaa', 'Broker', '340 ms', '0 B', '0 B', '0 s'],
    ]);
  });

  it('lists rejected input, most frequent first', async () => {
    const view = await mount(new FakeApp(busyMesh));
    expect(tableRows(view, 'Rejected input')).to.deep.equal([
      ['frame too large', '7'],
      ['bad signature', '2'],
      ['unknown sender', '2'],
    ]);
  });

  it('shows empty states while the node is not running', async () => {
    const view = await mount(new FakeApp(undefined));
    expect(statuses(view)).to.include('Not running');
    expect(text(root(view).querySelector('dl'))).to.match(/Broker\s*Not connected/);
    expect(picture(view)).to.equal(null);
    expect(tableRows(view, 'Links')).to.deep.equal([['No neighbours yet.']]);
    expect(tableRows(view, 'Rejected input')).to.deep.equal([['Nothing rejected.']]);
  });

  it('follows each new snapshot: status, picture and ages', async () => {
    const app = new FakeApp(snapshot({ status: 'listening' }));
    const view = await mount(app);
    expect(statuses(view)).to.include('Waiting for peers');
    expect(pictureImage(view).getAttribute('aria-label')).to.equal(
      'This node with 0 neighbours and 0 known nodes',
    );

    const first = link('eeee', { openedAtMs: t0 });
    app.showMesh(snapshot({ neighbors: [first], known: [nodeId('ffff')], takenAtMs: t0 + 60_000 }));
    await settle(view);
    expect(statuses(view)).to.include('Connected to 1 neighbour');
    expect(pictureImage(view).getAttribute('aria-label')).to.equal(
      'This node with 1 neighbour and 1 known node',
    );
    expect(tableRows(view, 'Links')[0]?.[5]).to.equal('1 min');

    app.showMesh(snapshot({ neighbors: [first], takenAtMs: t0 + 61_000 + 3 * 3600_000 }));
    await settle(view);
    expect(tableRows(view, 'Links')[0]?.[5]).to.equal('3 h');

    app.showMesh(snapshot({ status: 'isolated', brokerOnline: false }));
    await settle(view);
    expect(statuses(view)).to.include('Isolated: reconnecting through the broker');
    expect(tableRows(view, 'Links')).to.deep.equal([['No neighbours yet.']]);
  });

  it('copies the node id and says so politely', async () => {
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: (value: string) => (written.push(value), Promise.resolve()) },
    });
    try {
      const view = await mount(new FakeApp(busyMesh));
      button(view, 'Copy node id').click();
      await settle(view);
      expect(written).to.deep.equal([selfId]);
      expect(statuses(view)).to.include('Copied');
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
    }
  });

  it('connects through the trimmed node id, busy until it answers', async () => {
    const app = new FakeApp(busyMesh);
    let answer = (): void => undefined;
    app.connectResult = new Promise((resolve) => (answer = resolve));
    const view = await mount(app);
    const target = nodeId('gggg');
    labelledInput(view, 'Node id to connect to').value = `  ${target}\n`;
    const connect = button(view, 'Connect');
    connect.click();
    await settle(view);
    expect(app.connectCalls).to.deep.equal([target]);
    expect(connect.disabled).to.equal(true);

    answer();
    await settle(view);
    expect(connect.disabled).to.equal(false);
    expect(text(root(view).querySelector('[role="alert"]'))).to.equal('');
    expect(statuses(view)).to.include('Joined the mesh through ggggaaaa.');
    expect(labelledInput(view, 'Node id to connect to').value).to.equal('');
  });

  it('shows why a connection failed and what to do next', async () => {
    const app = new FakeApp(busyMesh);
    const failure = new MycelError('That node did not answer.', {
      hint: 'Check the id, and ask your friend to open Mycel.',
    });
    app.connectResult = Promise.reject(failure);
    app.connectResult.catch(() => undefined);
    const view = await mount(app);
    labelledInput(view, 'Node id to connect to').value = nodeId('hhhh');
    button(view, 'Connect').click();
    await settle(view);
    expect(text(root(view).querySelector('[role="alert"]'))).to.equal(messageOf(failure));
    expect(text(root(view).querySelector('[role="alert"]'))).to.contain('ask your friend to open Mycel');
    expect(button(view, 'Connect').disabled).to.equal(false);
  });

  it('asks for an id instead of connecting to nothing', async () => {
    const app = new FakeApp(busyMesh);
    const view = await mount(app);
    labelledInput(view, 'Node id to connect to').value = '   ';
    button(view, 'Connect').click();
    await settle(view);
    expect(app.connectCalls).to.deep.equal([]);
    expect(text(root(view).querySelector('[role="alert"]'))).to.equal('Type or paste a node id first.');
  });
});
