import { html, type TemplateResult } from 'lit';

/**
 * Candidate links: `http://` or `https://` after a non-word character (or at the start), up to
 * whitespace or a character that can never be part of a URL. Other schemes (`javascript:`,
 * `data:`, `mailto:` ...) are never candidates, so they are never linked.
 */
const candidate = /\bhttps?:\/\/[^\s<>"`{}|\\^]+/gi;

/** Punctuation that ends a sentence rather than a URL: "see https://a.example/x." */
const trailing = new Set(['.', ',', '!', '?', ':', ';', "'", ')']);

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/**
 * Trims sentence punctuation from the end of a candidate. A closing parenthesis stays when it
 * closes one opened inside the URL, as in `https://en.wikipedia.org/wiki/Lit_(software)`.
 */
function trimTrailing(url: string): string {
  let end = url.length;
  while (end > 0) {
    const last = url.charAt(end - 1);
    if (!trailing.has(last)) break;
    const head = url.slice(0, end);
    if (last === ')' && count(head, '(') >= count(head, ')')) break;
    end--;
  }
  return url.slice(0, end);
}

function isWebUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol, hostname } = new URL(text);
  return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
}

/**
 * Splits chat text into plain strings and links, for Lit to render: http(s) URLs become
 * anchors that open in a new tab without access to this page; everything else stays text
 * (Lit renders strings as text nodes, so markup in a message is shown, never parsed).
 */
export function linkify(text: string): (string | TemplateResult)[] {
  const parts: (string | TemplateResult)[] = [];
  let done = 0;
  for (const match of text.matchAll(candidate)) {
    const url = trimTrailing(match[0]);
    if (!isWebUrl(url)) continue;
    if (match.index > done) parts.push(text.slice(done, match.index));
    parts.push(html`<a href=${url} target="_blank" rel="noopener noreferrer">${url}</a>`);
    done = match.index + url.length;
  }
  if (done < text.length) parts.push(text.slice(done));
  return parts;
}
