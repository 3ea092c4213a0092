/**
 * The visual coding tasks as Model Context Protocol tools, so agent chats (VS Code's, Claude Desktop,
 * any MCP client) can turn a screenshot into code with the local model. One tool per task of the
 * registry, its option as an enum; text streams back as progress notifications while it is written.
 */
import * as path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { BackendConfig, CustomStack, LogLevel, TaskInfo, TaskRunParams } from '../protocol';
import { listTasks } from '../tasks/registry';
import { runTask, type TaskEngines } from '../tasks/run-task';
import { HOST_VERSION } from '../version';

export interface TaskToolsOptions {
  engines: TaskEngines;
  /** The remote backend from the command line, when the tools should use a server instead of the local model. */
  backend?: BackendConfig;
  /** Put OCR-detected text into the prompt, as `run --task` does unless `--no-ocr`. */
  ocrAugment: boolean;
  /** The user's own stacks (`--stacks FILE`), offered in ui-to-code's stack enum. */
  customStacks?: CustomStack[];
  log(level: LogLevel, message: string): void;
}

/** At most this many progress notifications a second: an agent's UI needs to see motion, not every token. */
const PROGRESS_INTERVAL_MS = 100;

export function createTaskToolsServer(options: TaskToolsOptions): McpServer {
  const server = new McpServer({ name: 'visual-coder', title: 'Visual Coder', version: HOST_VERSION });
  for (const task of listTasks(options.customStacks)) registerTaskTool(server, task, options);
  return server;
}

function registerTaskTool(server: McpServer, task: TaskInfo, options: TaskToolsOptions): void {
  const option = task.options[0];
  const inputSchema = {
    imagePath: z.string().optional().describe('Absolute path of the image file (PNG, JPEG, GIF, WebP, BMP or SVG) on this machine.'),
    imageBase64: z.string().optional().describe('The encoded image as base64, instead of imagePath.'),
    instruction: z.string().max(4000).optional().describe('Extra instruction appended to the task prompt.'),
    maxNewTokens: z.number().int().min(1).max(32768).optional().describe('Most tokens the model may write (default 2048).'),
    ...(option
      ? {
          [option.name]: z
            .enum(option.choices.map((c) => c.id) as [string, ...string[]])
            .optional()
            .describe(`${option.title}: ${option.choices.map((c) => `${c.id} (${c.title})`).join(', ')}. Default ${option.default}.`),
        }
      : {}),
  };
  server.registerTool(
    task.id,
    {
      title: task.title,
      description: `${task.title}: reads an image and answers in ${task.language}${option ? ` (or the language of the chosen ${option.name})` : ''}. Runs ${describeEngines(task)}.`,
      inputSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra): Promise<CallToolResult> => {
      const input = args as Record<string, unknown>;
      const image = imageInput(input.imagePath as string | undefined, input.imageBase64 as string | undefined);
      if ('error' in image) return failure(image.error);
      const params: TaskRunParams = {
        runId: `mcp-${String(extra.requestId)}`,
        taskId: task.id,
        image,
        options: option && typeof input[option.name] === 'string' ? { [option.name]: input[option.name] as string } : undefined,
        instruction: input.instruction as string | undefined,
        generation: input.maxNewTokens ? { maxNewTokens: input.maxNewTokens as number } : undefined,
        backend: options.backend,
        ocrAugment: options.ocrAugment,
        customStacks: options.customStacks,
      };
      const progressToken = extra._meta?.progressToken;
      let written = 0;
      let lastSent = 0;
      // The result must not overtake the last progress note (the client drops notes for a finished request).
      let progressSent: Promise<void> = Promise.resolve();
      try {
        const result = await runTask(params, options.engines, {
          isCancelled: () => extra.signal.aborted,
          onText(delta) {
            written += delta.length;
            const now = Date.now();
            if (progressToken === undefined || now - lastSent < PROGRESS_INTERVAL_MS) return;
            lastSent = now;
            progressSent = extra
              .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: written, message: `${written} characters written` } })
              .catch(() => undefined);
          },
          log: options.log,
        });
        await progressSent;
        if (result.finishReason === 'error') return failure(`The answer stopped early: ${result.error ?? 'unknown reason'}. What came: ${result.output}`);
        const note = result.finishReason === 'length' ? '\n\n(The answer reached maxNewTokens and may be cut off.)' : '';
        return {
          content: [{ type: 'text', text: result.output + note }],
          _meta: { language: result.language, finishReason: result.finishReason, model: result.model, device: result.device },
        };
      } catch (err) {
        return failure((err as Error).message);
      }
    },
  );
}

function describeEngines(task: TaskInfo): string {
  if (task.engines.length === 1 && task.engines[0] === 'ocr') return 'on the bundled OCR engine, no model download needed';
  return 'on the local vision-language model (or the server the host was started with)';
}

function imageInput(imagePath: string | undefined, imageBase64: string | undefined): { path: string } | { base64: string } | { error: string } {
  if ((imagePath === undefined) === (imageBase64 === undefined)) return { error: 'Give exactly one of imagePath (an absolute file path) or imageBase64.' };
  if (imageBase64 !== undefined) return { base64: imageBase64 };
  // The server's working folder is nobody's choice: a relative path would read whatever lies there.
  if (!path.isAbsolute(imagePath!)) return { error: `imagePath must be absolute (got "${imagePath}").` };
  return { path: imagePath! };
}

/** A tool error the agent can read and act on (MCP's isError result), not a protocol error. */
function failure(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
