import type { CliCommand } from './command';
import { serveStdio } from '../server/stdio-server';
import { SERVE_HTTP_USAGE, serveHttp } from '../http/serve-http';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the Visual Coder protocol (JSON-RPC over stdio) to the extension',
  usage: `model-host serve

Speaks JSON-RPC 2.0 with Content-Length framing on stdin/stdout (the protocol in
model-host/protocol.ts). Exits when stdin closes or on host/shutdown.

${SERVE_HTTP_USAGE}`,
  run: (argv) => (argv.some((a) => a === '--http' || a.startsWith('--http=')) ? serveHttp(argv) : serveStdio()),
};
