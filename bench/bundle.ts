import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Baseline, Scenario } from './types.ts';

/** The budget from STYLE.md ("keep a bundle-size budget"): 60 KiB of gzipped initial JS. */
export const initialJsBudget: Baseline = { id: 'bundle.budget', value: 61_440, unit: 'bytes' };

/** How a file came to be counted. */
type Reason = 'entry' | 'modulepreload' | 'static import' | 'inline';

interface CountedFile {
  readonly file: string;
  readonly via: Reason;
  readonly bytes: number;
  readonly gzipBytes: number;
}

interface Tag {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  /** Text up to the closing tag, for inline scripts. */
  readonly body: string;
}

const tagPattern = /<(script|link)\b([^>]*)>/gi;
const attributePattern = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
/**
 * Static `import … from "x"`, `import "x"` and `export … from "x"` in Vite's minified ESM.
 * `import(` (lazy chunks) and `import.meta` do not match: neither is followed by a quote
 * or by a binding list and `from`.
 */
const staticImportPattern =
  /(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"'\n]+)["']/g;

function parseTags(html: string): Tag[] {
  const tags: Tag[] = [];
  for (const match of html.matchAll(tagPattern)) {
    const name = (match[1] ?? '').toLowerCase();
    const attributes = new Map<string, string>();
    for (const attribute of (match[2] ?? '').matchAll(attributePattern)) {
      const key = (attribute[1] ?? '').toLowerCase();
      attributes.set(key, attribute[2] ?? attribute[3] ?? attribute[4] ?? '');
    }
    const start = match.index + match[0].length;
    const end = name === 'script' ? html.toLowerCase().indexOf('</script>', start) : start;
    tags.push({ name, attributes, body: html.slice(start, end < 0 ? start : end) });
  }
  return tags;
}

/** A file under dist/ for a URL in index.html or an import specifier; undefined if not local. */
function resolveLocal(distDir: string, fromDir: string, url: string): string | undefined {
  if (/^[a-z][a-z\d+.-]*:|^\/\//i.test(url)) return undefined;
  const path = url.split(/[?#]/)[0] ?? '';
  if (!path.startsWith('/') && !path.startsWith('.')) return undefined;
  const file = path.startsWith('/') ? join(distDir, path) : resolve(fromDir, path);
  return file.startsWith(distDir + sep) ? file : undefined;
}

/**
 * Gzip (level 9) bytes of the JS the initial page loads: module scripts and modulepreload
 * links in dist/index.html, then every file they import statically, transitively (Vite
 * normally lists those as modulepreload already; following imports catches it if not).
 * Lazy chunks (dynamic `import()`), CSS, the service worker and the HTML are not counted.
 */
export function measureInitialJs(distDir: string): { total: number; files: CountedFile[] } {
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) throw new Error(`${indexPath} does not exist: did the build produce the app?`);
  const html = readFileSync(indexPath, 'utf8');
  const files: CountedFile[] = [];
  const seen = new Set<string>();
  const queue: { file: string; via: Reason }[] = [];
  const enqueue = (file: string, via: Reason): void => {
    if (seen.has(file)) return;
    if (!existsSync(file))
      throw new Error(`index.html loads ${relative(distDir, file)}, which is not in dist/`);
    seen.add(file);
    queue.push({ file, via });
  };
  const count = (file: string, via: Reason, source: Buffer): void => {
    files.push({ file, via, bytes: source.length, gzipBytes: gzipSync(source, { level: 9 }).length });
    for (const match of source.toString('utf8').matchAll(staticImportPattern)) {
      const imported = resolveLocal(distDir, via === 'inline' ? distDir : dirname(file), match[1] ?? '');
      if (imported !== undefined) enqueue(imported, 'static import');
    }
  };
  parseTags(html).forEach((tag, index) => {
    const isModuleScript = tag.name === 'script' && tag.attributes.get('type') === 'module';
    const isPreload = tag.name === 'link' && tag.attributes.get('rel') === 'modulepreload';
    const url = tag.attributes.get(isPreload ? 'href' : 'src');
    if (isModuleScript && url === undefined && tag.body.trim() !== '') {
      count(`index.html#inline-${index}`, 'inline', Buffer.from(tag.body));
    } else if ((isModuleScript || isPreload) && url !== undefined) {
      const file = resolveLocal(distDir, distDir, url);
      if (file === undefined)
        throw new Error(`index.html loads ${url} from elsewhere; only local JS is counted`);
      enqueue(file, isPreload ? 'modulepreload' : 'entry');
    }
  });
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    count(next.file, next.via, readFileSync(next.file));
  }
  if (files.length === 0) throw new Error('dist/index.html loads no module script');
  const relativeFiles = files.map((entry) => ({
    ...entry,
    file: entry.via === 'inline' ? entry.file : relative(distDir, entry.file),
  }));
  return { total: files.reduce((sum, entry) => sum + entry.gzipBytes, 0), files: relativeFiles };
}

export const bundleScenario: Scenario = {
  name: 'bundle',
  ids: ['bundle.initial_js_gz'],
  async run(context) {
    await context.build();
    const { total, files } = measureInitialJs(context.distDir);
    return [
      {
        id: 'bundle.initial_js_gz',
        value: total,
        unit: 'bytes',
        baseline: initialJsBudget,
        extra: { rawBytes: files.reduce((sum, entry) => sum + entry.bytes, 0), files },
      },
    ];
  },
};
