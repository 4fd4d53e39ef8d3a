/**
 * System notifications for run finished / failed / stalled while the window is in the background.
 * Permission is only asked from a click (browsers ignore, and some penalise, requests on load).
 */

export function systemNotificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function systemNotificationsAllowed(): boolean {
  return systemNotificationsSupported() && Notification.permission === 'granted';
}

export async function askSystemNotifications(): Promise<boolean> {
  if (!systemNotificationsSupported()) return false;
  if (Notification.permission === 'granted') return true;
  if (Notification.permission === 'denied') return false;
  return (await Notification.requestPermission()) === 'granted';
}

/** Shows a system notification when the page is hidden; the in-app toast covers the visible case. */
export function notifySystem(title: string, body: string, onClick?: () => void): void {
  if (!systemNotificationsAllowed() || document.visibilityState === 'visible') return;
  try {
    const n = new Notification(title, { body, tag: `${title}:${body}` });
    if (onClick) {
      n.onclick = () => {
        window.focus();
        onClick();
        n.close();
      };
    }
  } catch {
    // Some embedded browsers expose Notification but refuse the constructor; the toast still shows.
  }
}
