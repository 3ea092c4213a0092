/**
 * `model-host mcp`: the tasks as Model Context Protocol tools over stdio, for agent chats. Stdout
 * carries the protocol, so everything else the host prints goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { modelRefFromFlag } from './model-ref';
import { type CliCommand, flag, parseArgs, UsageError } from './command';
import { DEVICE_PREFERENCES, type DevicePreference } from '../protocol';
import { taskEnginesFor } from '../tasks/task-engines';
import { createTaskToolsServer } from '../mcp/task-tools';
import { readStacksFile } from './stacks-file';
import { REMOTE_CLI_FLAGS, REMOTE_CLI_USAGE, remoteBackendFromArgs } from './remote-options';

export const mcpCommand: CliCommand = {
  name: 'mcp',
  summary: 'Serve the tasks as Model Context Protocol tools over stdio (for agent chats)',
  usage: `model-host mcp [--model DIR|ID] [--store DIR] [--device auto|cpu|webgpu|cuda|dml|coreml] [--no-ocr] [--stacks FILE]

Speaks MCP on stdin/stdout: one tool per task (\`model-host tasks\`), taking imagePath (absolute)
or imageBase64, the task's option, instruction and maxNewTokens; the answer is the tool's text.
A client that sends a progressToken gets the text's length as it is written. transcribe-code needs
no model; the others use --model (default: the recommended installed model) or a server, with
OCR-detected text in the prompt unless --no-ocr. --stacks FILE adds your own stacks to ui-to-code's
stack enum (a JSON list as the visualCoder.customStacks setting, see \`model-host tasks --help\`).
${REMOTE_CLI_USAGE}`,
  async run(argv) {
    const args = parseArgs(argv, { values: ['model', 'store', 'device', 'stacks', ...REMOTE_CLI_FLAGS], switches: ['no-ocr'] });
    const customStacks = readStacksFile(flag(args, 'stacks'));
    if (args.positional.length) throw new UsageError(`unknown argument "${args.positional[0]}"`);
    const device = (flag(args, 'device') ?? 'auto') as DevicePreference;
    if (!DEVICE_PREFERENCES.includes(device)) throw new UsageError(`--device must be one of ${DEVICE_PREFERENCES.join(', ')}`);
    const backend = remoteBackendFromArgs(args);
    const model = backend ? undefined : flag(args, 'model');
    const log = (level: string, message: string) => {
      if (level !== 'debug' && level !== 'trace') process.stderr.write(`[${level}] ${message}\n`);
    };
    // A library that logs with console.log would corrupt the protocol stream.
    console.log = console.info = (...items: unknown[]) => process.stderr.write(`${items.map(String).join(' ')}\n`);
    const engines = taskEnginesFor({ model: model && modelRefFromFlag(model), modelsDir: flag(args, 'store'), device }, log);
    const server = createTaskToolsServer({ engines, backend, ocrAugment: !args.flags.has('no-ocr'), customStacks, log });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = resolve;
      process.stdin.once('end', resolve);
    });
    await server.connect(transport);
    // Requests read but not yet answered, counted on the transport: every message is read before
    // stdin's 'end', so when it ends this says exactly what is still owed.
    let unanswered = 0;
    let answeredAll: (() => void) | undefined;
    const receive = transport.onmessage!;
    transport.onmessage = (message) => {
      if ('method' in message && 'id' in message) unanswered++;
      receive(message);
    };
    const send = transport.send.bind(transport);
    transport.send = async (message) => {
      await send(message);
      if (!('method' in message) && 'id' in message && --unanswered === 0) answeredAll?.();
    };
    log('info', 'Visual Coder MCP server ready on stdio');
    await closed;
    // stdin ended (`printf … | model-host mcp`, or a client that closed its side): answer what was asked first.
    if (unanswered > 0) await new Promise<void>((resolve) => (answeredAll = resolve));
    await server.close();
    return 0;
  },
};
