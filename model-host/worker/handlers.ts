/**
 * Job handlers the engine worker knows, by kind. Engines register here; the protocol thread
 * only knows kinds and payloads, so it never loads ONNX Runtime itself.
 */
import type { JobHandler } from './job-context';
import { burnCpu } from './jobs/burn-job';
import { taskJob } from './jobs/task-job';
import { ocrJob } from './jobs/ocr-job';
import { chatJob } from './jobs/chat-job';

export const jobHandlers: Record<string, JobHandler> = {
  burn: burnCpu,
  task: taskJob,
  ocr: ocrJob,
  chat: chatJob,
};
