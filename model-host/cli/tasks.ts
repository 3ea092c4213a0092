/**
 * `model-host tasks`: lists the task registry; `model-host tasks run --task ID --image FILE` runs
 * one (also reachable as `model-host run --task …`). Runs in-process: the CLI has no protocol loop
 * to keep responsive.
 */
import * as path from 'node:path';
import type { CliCommand } from './command';
import { modelRefFromFlag } from './model-ref';
import { UsageError, flag, parseArgs } from './command';
import { DEVICE_PREFERENCES, type DevicePreference, type TaskRunParams } from '../protocol';
import { listTasks } from '../tasks/registry';
import { runTask } from '../tasks/run-task';
import { taskEnginesFor } from '../tasks/task-engines';
import { HostError } from '../protocol/errors';
import { REMOTE_CLI_FLAGS, remoteBackendFromArgs } from './remote-options';
import { readStacksFile } from './stacks-file';

export const TASK_RUN_USAGE = `--task ID --image FILE [--option NAME=CHOICE] [--stacks FILE] [--model DIR|ID] [--store DIR]
      [--device cpu|webgpu|…] [--instruction TEXT] [--max-new-tokens N] [--endpoint URL --remote-model NAME]
      [--no-ocr] [--stream] [--json]`;

const STACKS_HELP = `--stacks FILE: your own stacks for ui-to-code beside the built-in ones, a JSON list of
{"name", "language", "instructions", "preview"} (as the visualCoder.customStacks setting); a stack's
id is its name in lower case with dashes: --option stack=svelte-5.`;

function parseOptions(values: string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option needs NAME=CHOICE, e.g. --option stack=react-tailwind (got "${value}")`);
    options[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return options;
}

/** `run --task …` and `tasks run …`: prints the post-processed output (or the whole result with --json). */
export async function runTaskFromCli(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['task', 'image', 'device', 'max-new-tokens', 'option', 'instruction', 'model', 'store', 'stacks', ...REMOTE_CLI_FLAGS],
    switches: ['json', 'stream', 'no-ocr'],
  });
  const taskId = flag(args, 'task');
  const image = flag(args, 'image');
  if (!taskId) throw new UsageError('--task is required (see `model-host tasks`)');
  if (!image) throw new UsageError('--image is required');
  const device = (flag(args, 'device') ?? 'auto') as DevicePreference;
  if (!DEVICE_PREFERENCES.includes(device)) throw new UsageError(`--device must be one of ${DEVICE_PREFERENCES.join(', ')}`);
  const maxNewTokens = flag(args, 'max-new-tokens');
  if (maxNewTokens !== undefined && !(Number(maxNewTokens) > 0)) throw new UsageError('--max-new-tokens must be a positive number');
  const endpoint = flag(args, 'endpoint');
  const params: TaskRunParams = {
    runId: 'cli',
    taskId,
    image: { path: path.resolve(image) },
    options: parseOptions(args.flags.get('option') ?? []),
    instruction: flag(args, 'instruction'),
    generation: maxNewTokens ? { maxNewTokens: Number(maxNewTokens) } : undefined,
    backend:
      remoteBackendFromArgs(args) ??
      (endpoint ? { kind: 'openai', endpoint, model: flag(args, 'remote-model'), apiKey: process.env.VISUAL_CODER_API_KEY } : undefined),
    ocrAugment: !args.flags.has('no-ocr'),
    customStacks: readStacksFile(flag(args, 'stacks')),
  };
  const model = flag(args, 'model');
  const log = (level: string, message: string) => {
    if (level !== 'debug' && level !== 'trace') process.stderr.write(`[${level}] ${message}\n`);
  };
  const engines = taskEnginesFor({ model: model && modelRefFromFlag(model), modelsDir: flag(args, 'store'), device }, log);
  try {
    const result = await runTask(params, engines, {
      isCancelled: () => false,
      onText: (text) => {
        if (args.flags.has('stream')) process.stderr.write(text);
      },
      log,
    });
    if (args.flags.has('stream')) process.stderr.write('\n');
    process.stdout.write(args.flags.has('json') ? JSON.stringify(result, null, 2) + '\n' : result.output);
    return 0;
  } catch (err) {
    if (err instanceof HostError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export const tasksCommand: CliCommand = {
  name: 'tasks',
  summary: 'List the visual coding tasks (or run one: tasks run --task ID --image FILE)',
  usage: `model-host tasks [--stacks FILE] [--json]   list tasks, their options and output languages
model-host tasks run ${TASK_RUN_USAGE}

${STACKS_HELP}`,
  async run(argv) {
    if (argv[0] === 'run') return runTaskFromCli(argv.slice(1));
    const args = parseArgs(argv, { values: ['stacks'], switches: ['json'] });
    if (args.positional.length) throw new UsageError(`unknown argument "${args.positional[0]}"`);
    const tasks = listTasks(readStacksFile(flag(args, 'stacks')));
    if (args.flags.has('json')) {
      process.stdout.write(JSON.stringify(tasks, null, 2) + '\n');
      return 0;
    }
    for (const task of tasks) {
      process.stdout.write(`${task.id.padEnd(24)} ${task.title}  [${task.engines.join(', ')}] → ${task.language}\n`);
      for (const option of task.options) {
        for (const choice of option.choices) {
          const mark = choice.id === option.default ? '*' : ' ';
          const yours = choice.custom ? '  (your stack)' : '';
          process.stdout.write(`    ${mark} --option ${option.name}=${choice.id.padEnd(16)} ${choice.title} → ${choice.language}${yours}\n`);
        }
      }
    }
    return 0;
  },
};
