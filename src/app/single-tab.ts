/**
 * Holds the profile's node lock for the life of the page, so only one tab runs the node.
 * Resolves once this tab holds it; calls `onWaiting` first if another tab has it, and then
 * takes over as soon as that tab closes.
 */
export function holdNodeLock(profileName: string, onWaiting: () => void): Promise<void> {
  const name = `mycel-node:${profileName}`;
  const forever = new Promise<never>(() => undefined);
  return new Promise((resolve) => {
    void navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      if (lock === null) {
        onWaiting();
        void navigator.locks.request(name, () => {
          resolve();
          return forever;
        });
        return null;
      }
      resolve();
      return forever;
    });
  });
}
