import { expect } from 'chai';
import { html, render } from 'lit';
import { linkify } from '../../src/components/linkify.ts';

/** Renders `text` through `linkify` into a fresh element, as a message body would be. */
function rendered(text: string): HTMLElement {
  const host = document.createElement('p');
  render(html`${linkify(text)}`, host);
  return host;
}

function links(host: HTMLElement): { href: string; text: string; target: string; rel: string }[] {
  return [...host.querySelectorAll('a')].map((a) => ({
    href: a.getAttribute('href') ?? '',
    text: a.textContent,
    target: a.target,
    rel: a.rel,
  }));
}

describe('linkify', () => {
  it('turns an https URL into a link that opens in a new tab without an opener', () => {
    const host = rendered('see https://example.com/a?b=1#c for details');
    expect(links(host)).to.deep.equal([
      {
        href: 'https://example.com/a?b=1#c',
        text: 'https://example.com/a?b=1#c',
        target: '_blank',
        rel: 'noopener noreferrer',
      },
    ]);
    expect(host.textContent).to.equal('see https://example.com/a?b=1#c for details');
  });

  it('links several http and https URLs and keeps the text between them', () => {
    const host = rendered('http://a.example and https://b.example/x');
    expect(links(host).map((link) => link.href)).to.deep.equal(['http://a.example', 'https://b.example/x']);
    expect(host.textContent).to.equal('http://a.example and https://b.example/x');
  });

  it('leaves sentence punctuation after a URL out of the link', () => {
    for (const end of ['.', ',', ')', '!', '?', '...', '!)']) {
      const host = rendered(`(go to https://example.com/page${end}`);
      expect(
        links(host).map((link) => link.href),
        end,
      ).to.deep.equal(['https://example.com/page']);
      expect(host.textContent).to.equal(`(go to https://example.com/page${end}`);
    }
  });

  it('keeps a closing parenthesis that closes one opened inside the URL', () => {
    const host = rendered('https://en.wikipedia.org/wiki/Lit_(software).');
    expect(links(host).map((link) => link.href)).to.deep.equal([
      'https://en.wikipedia.org/wiki/Lit_(software)',
    ]);
  });

  it('never links javascript:, data: or other schemes', () => {
    const host = rendered('javascript:alert(1) data:text/html,<b>x</b> ftp://example.com mailto:a@b.c');
    expect(host.querySelectorAll('a')).to.have.length(0);
    expect(host.textContent).to.equal(
      'javascript:alert(1) data:text/html,<b>x</b> ftp://example.com mailto:a@b.c',
    );
  });

  it('shows markup as text and creates no elements from it', () => {
    const hostile = `<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'"&amp;`;
    const host = rendered(hostile);
    expect(host.querySelector('img, script')).to.equal(null);
    expect(host.textContent).to.equal(hostile);
  });

  it('cannot break out of the href with quotes or angle brackets', () => {
    const host = rendered(`https://example.com/"onmouseover="alert(1)<b>x</b>`);
    expect(links(host).map((link) => link.href)).to.deep.equal(['https://example.com/']);
    const anchor = host.querySelector('a');
    expect(anchor?.getAttributeNames().sort()).to.deep.equal(['href', 'rel', 'target']);
    expect(host.querySelector('b')).to.equal(null);
  });

  it('does not link a bare scheme or a URL glued to a word', () => {
    const host = rendered('https:// and xhttps://example.com');
    expect(host.querySelectorAll('a')).to.have.length(0);
  });

  it('returns plain text unchanged', () => {
    expect(linkify('hello there')).to.deep.equal(['hello there']);
    expect(linkify('')).to.deep.equal([]);
  });
});
