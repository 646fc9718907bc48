import type { SavedFile } from './app.ts';

/** Offers a file to the user as a download. */
export function saveFile(file: SavedFile, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([file.bytes], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = file.name;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
