/** The `chat` worker job's payload and events, shared by the HTTP server and the worker side. */
import type { GenerationOptions } from '../../protocol';
import type { ChatPrompt } from '../../engines/engine';
import type { ModelSettings } from '../../models/resolve-model';

export interface ChatJobPayload {
  settings: ModelSettings;
  prompt: ChatPrompt;
  generation: GenerationOptions;
  /** The normalised image with its PNG as base64 (plain data crosses the thread boundary). */
  image?: { png: string; width: number; height: number; source: string };
}

export interface ChatJobEvent {
  type: 'delta';
  text: string;
}
