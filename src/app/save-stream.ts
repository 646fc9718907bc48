/** What `showSaveFilePicker` gives, where the browser has it (Chromium). */
interface SaveFilePicker {
  (options: { suggestedName: string }): Promise<{ createWritable(): Promise<WritableStream<Uint8Array>> }>;
}

/**
 * Saves a stream as a file the user picks. Where the browser can write to a chosen file, the
 * bytes go there as they are read, never all in memory; elsewhere they are gathered into a
 * Blob (which the browser may keep on disk) and offered as a download. Resolves false if the
 * user closed the picker.
 */
export async function saveStream(
  stream: ReadableStream<Uint8Array>,
  name: string,
  type: string,
): Promise<boolean> {
  const picker = (globalThis as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  if (picker !== undefined) {
    let handle: Awaited<ReturnType<SaveFilePicker>>;
    try {
      handle = await picker({ suggestedName: name });
    } catch (error) {
      await stream.cancel();
      if (error instanceof DOMException && error.name === 'AbortError') return false;
      throw error;
    }
    await stream.pipeTo(await handle.createWritable());
    return true;
  }
  const blob = await new Response(stream, { headers: { 'content-type': type } }).blob();
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}
