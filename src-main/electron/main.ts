/**
 * The Electron shell: a window, menus, native dialogs and notifications around the same WorkbenchApp
 * the web mode serves. The renderer reaches the core only through the preload bridge (contextIsolation
 * on, nodeIntegration off, sandboxed), with a strict CSP; navigation and new windows are blocked.
 */
import { app as electronApp, BrowserWindow, dialog, ipcMain, Menu, Notification, session, shell, type MenuItemConstructorOptions } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkbenchApp, toApiError } from '../app/app';
import { composeWorkbench } from '../app/compose';
import { securityPolicy } from './security';

const here = path.dirname(fileURLToPath(import.meta.url));
// Bundled code cannot find resources/ relative to its sources; point it (and the worker processes,
// which inherit the environment) at the app's copy.
const resources = path.join(here, '..', '..', 'resources').replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
process.env.CLIPWB_MODEL_CONFIG_DIR ??= path.join(resources, 'model_configs');
process.env.CLIPWB_TASK_LIST ??= path.join(resources, 'eval', 'tasks.json');
process.env.CLIPWB_STANDARD_VOCAB ??= path.join(resources, 'vocab', 'bpe_simple_vocab_16e6.txt.gz');
process.env.CLIPWB_WORKER_ENTRY ??= path.join(here, 'worker.js');
let core: WorkbenchApp | null = null;
let win: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1440, height: 920, minWidth: 960, minHeight: 600, title: 'CLIP Workbench', show: false,
    webPreferences: { preload: path.join(here, '..', 'preload', 'index.cjs'), contextIsolation: true, nodeIntegration: false, sandbox: true, spellcheck: false },
  });
  w.once('ready-to-show', () => w.show());
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void w.loadURL(devUrl);
  else void w.loadFile(path.join(here, '..', 'renderer', 'index.html'));
  return w;
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    { label: 'File', submenu: [
      { label: 'New Run…', accelerator: 'CmdOrCtrl+N', click: () => win?.webContents.send('clipwb:navigate', '/new') },
      { label: 'Open Data Folder', click: () => core && void shell.openPath(core.dataDir) },
      { type: 'separator' },
      { role: 'quit' },
    ] },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
    { label: 'Help', submenu: [{ label: 'README', click: () => void shell.openPath(path.join(here, '..', '..', 'README.md')) }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function main(): Promise<void> {
  await electronApp.whenReady();
  securityPolicy(session.defaultSession);
  core = WorkbenchApp.start(await composeWorkbench({ home: process.env.CLIPWB_HOME, origin: 'app' }));
  ipcMain.handle('clipwb:invoke', async (_e, method: unknown, input: unknown) => {
    try {
      return { result: await core!.call(String(method), input) };
    } catch (err) {
      return { error: toApiError(err).toBody() };
    }
  });
  ipcMain.handle('clipwb:pickPath', async (_e, o: { kind: 'folder' | 'file' | 'save'; title: string; defaultPath?: string; filters?: { name: string; extensions: string[] }[] }) => {
    if (!win) return null;
    if (o.kind === 'save') {
      const r = await dialog.showSaveDialog(win, { title: o.title, defaultPath: o.defaultPath, filters: o.filters });
      return r.canceled ? null : (r.filePath ?? null);
    }
    const r = await dialog.showOpenDialog(win, { title: o.title, defaultPath: o.defaultPath, filters: o.filters, properties: [o.kind === 'folder' ? 'openDirectory' : 'openFile'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  core.subscribe((events) => {
    win?.webContents.send('clipwb:events', events);
    for (const e of events) {
      if (e.type === 'notification' && e.level !== 'info' && Notification.isSupported()) new Notification({ title: e.title, body: e.body }).show();
      if (e.type === 'notification' && e.level === 'info' && /finished/i.test(e.title) && Notification.isSupported()) new Notification({ title: e.title, body: e.body }).show();
    }
  });
  buildMenu();
  win = createWindow();
  electronApp.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) win = createWindow(); });
}

let quitting = false;
electronApp.on('before-quit', (e) => {
  if (quitting || !core) return;
  // Running runs are paused with a checkpoint before the app goes away.
  e.preventDefault();
  quitting = true;
  void core.close().finally(() => electronApp.quit());
});
electronApp.on('window-all-closed', () => { if (process.platform !== 'darwin') electronApp.quit(); });

main().catch((err: Error) => {
  dialog.showErrorBox('CLIP Workbench could not start', err.stack ?? err.message);
  electronApp.exit(1);
});
