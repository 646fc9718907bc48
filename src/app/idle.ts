/** How long without input, or hidden, before the user shows as away. */
export const idleAfterMs = 5 * 60_000;

const activity = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Calls `changed(true)` when the user has given no input for `afterMs` (a hidden page gets
 * none), and `changed(false)` at the next input or when the page is shown again. Returns a
 * function that stops watching.
 */
export function watchIdle(changed: (away: boolean) => void, afterMs = idleAfterMs): () => void {
  let away = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const set = (next: boolean): void => {
    if (next === away) return;
    away = next;
    changed(next);
  };
  const active = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => set(true), afterMs);
    set(false);
  };
  const visibility = (): void => {
    if (document.visibilityState === 'visible') active();
  };
  for (const type of activity) window.addEventListener(type, active, { passive: true });
  document.addEventListener('visibilitychange', visibility);
  active();
  return () => {
    clearTimeout(timer);
    for (const type of activity) window.removeEventListener(type, active);
    document.removeEventListener('visibilitychange', visibility);
  };
}
