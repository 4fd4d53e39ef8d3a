/** Placeholder replaced by the web transport (HTTP + WebSocket) in the next commit. */
export interface WebServer { url: string; close(): Promise<void> }
export async function startWebServer(_o: { home?: string; host: string; port: number; token?: string }): Promise<WebServer> {
  throw new Error('the web mode is not built yet');
}
