import type { IncomingMessage } from './group-service.ts';

/** Longest message excerpt a notification shows. */
const excerptLength = 140;

/**
 * Browser notifications of messages that arrive while the app is hidden. Permission is asked
 * once, when the user first opens a group, never at load.
 */
export class Notifier {
  private asked = false;

  /** Asks for permission if the browser has not been asked yet. */
  async askOnce(): Promise<void> {
    if (this.asked || typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    this.asked = true;
    await Notification.requestPermission().catch(() => 'denied');
  }

  notify({ groupId, groupName, authorName, message }: IncomingMessage): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (typeof document === 'undefined' || document.visibilityState === 'visible') return;
    const text =
      message.text.length > excerptLength ? `${message.text.slice(0, excerptLength)}…` : message.text;
    const notification = new Notification(groupName, { body: `${authorName}: ${text}`, tag: groupId });
    notification.onclick = () => {
      window.focus();
      window.location.hash = `#/groups/${groupId}`;
      notification.close();
    };
  }
}
