/**
 * Job handlers the engine worker knows, by kind. Engines register here; the protocol thread
 * only knows kinds and payloads, so it never loads ONNX Runtime itself.
 */
import type { JobHandler } from './job-context';
import { burnCpu } from './burn-job';
import { taskJob } from '../tasks/task-job';
import { ocrJob } from '../engines/ocr/ocr-job';
import { chatJob } from '../http/chat-job';

export const jobHandlers: Record<string, JobHandler> = {
  burn: burnCpu,
  task: taskJob,
  ocr: ocrJob,
  chat: chatJob,
};
