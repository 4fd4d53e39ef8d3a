import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, num, type FlagSpec, UsageError } from '../args';
import { HOME_FLAG } from '../context';

const FLAGS: FlagSpec[] = [
  { name: 'host', type: 'string', help: 'Address to bind (127.0.0.1; reach a remote workstation through an SSH tunnel)', default: '127.0.0.1' },
  { name: 'port', type: 'int', help: 'Port (0 = any free port)', default: 7860 },
  { name: 'token', type: 'string', help: 'Access token (default: a random one, printed in the URL)' },
  { name: 'open', type: 'bool', help: 'Open the URL in a browser' },
  HOME_FLAG,
];

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the web mode of the app',
  usage: `usage: clipwb serve [--port 7860] [--host 127.0.0.1]\n\nServes the app and its API on 127.0.0.1 with a random token (in the printed URL). Other origins and\nrequests without the token are refused.\n\n${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags } = parseArgs(argv, FLAGS, 'serve');
    const port = num(flags.port)!;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`serve: --port must be a whole number from 0 to 65535 (0 = any free port), got ${port}`);
    const { startWebServer } = await import('../../server/web-server');
    let server: Awaited<ReturnType<typeof startWebServer>>;
    try {
      server = await startWebServer({ home: str(flags.home), host: str(flags.host)!, port, token: str(flags.token) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`serve: port ${port} is already in use (another clipwb serve?); choose another with --port, or --port 0 for any free one`);
      if (code === 'EADDRNOTAVAIL') throw new UsageError(`serve: --host ${str(flags.host)} is not an address of this machine; use 127.0.0.1`);
      throw err;
    }
    console.log(`CLIP Workbench is serving at ${server.url}`);
    if (!server.appBuilt) {
      console.error('warning: the app is not built, so the page answers 503; the API works. Build it with `npm run build:web` in the workbench folder (`npm run serve` builds and serves in one step).');
    }
    console.log('Ctrl-C stops it (running runs are paused with a checkpoint).');
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = () => { if (!stopping) { stopping = true; void server.close().then(resolve); } else process.exit(130); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
