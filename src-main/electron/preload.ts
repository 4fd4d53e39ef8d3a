/**
 * The only bridge between the sandboxed renderer and the core: invoke an API method, receive batched
 * events, open native dialogs. Errors come back as data ({ error }) so they cross intact.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('clipwb', {
  invoke: (method: string, input: unknown) => ipcRenderer.invoke('clipwb:invoke', method, input),
  onEvents: (listener: (events: unknown[]) => void) => {
    const handler = (_e: IpcRendererEvent, events: unknown[]) => listener(events);
    ipcRenderer.on('clipwb:events', handler);
    return () => ipcRenderer.removeListener('clipwb:events', handler);
  },
  onNavigate: (listener: (route: string) => void) => {
    const handler = (_e: IpcRendererEvent, route: string) => listener(route);
    ipcRenderer.on('clipwb:navigate', handler);
    return () => ipcRenderer.removeListener('clipwb:navigate', handler);
  },
  pickPath: (o: unknown) => ipcRenderer.invoke('clipwb:pickPath', o),
});
