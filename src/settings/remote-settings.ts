/**
 * The remote backend's settings, server presets and how they are shown: pure, so it is unit-tested
 * without VS Code. The API key is not a setting: it lives in SecretStorage, one per server origin,
 * so a workspace that points `visualCoder.remote.endpoint` elsewhere never receives a key that was
 * set for another server.
 */

import { endpointHost } from '../../model-host/protocol/format';
import { t } from '../l10n';

export type BackendKind = 'local' | 'openai';

export interface RemoteSettings {
  backend: BackendKind;
  endpoint: string;
  model: string;
  maxImageSide: number;
}

/** The slice of `WorkspaceConfiguration` read here. */
export interface ConfigReader {
  get<T>(section: string, defaultValue: T): T;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8000/v1';
export const DEFAULT_MAX_IMAGE_SIDE = 1024;

export function readRemoteSettings(config: ConfigReader): RemoteSettings {
  const backend = config.get<string>('backend', 'local') === 'openai' ? 'openai' : 'local';
  const side = Number(config.get<number>('remote.maxImageSide', DEFAULT_MAX_IMAGE_SIDE));
  return {
    backend,
    endpoint: String(config.get<string>('remote.endpoint', DEFAULT_ENDPOINT) ?? '').trim(),
    model: String(config.get<string>('remote.model', '') ?? '').trim(),
    maxImageSide: Number.isFinite(side) && side >= 64 ? Math.floor(side) : DEFAULT_MAX_IMAGE_SIDE,
  };
}

/** Why an endpoint cannot be used, or undefined when it can. */
export function endpointProblem(endpoint: string): string | undefined {
  if (!endpoint) return t('no endpoint is set');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return t('"{0}" is not a URL (expected e.g. {1})', endpoint, DEFAULT_ENDPOINT);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return t('"{0}" is not an http(s) URL', endpoint);
  return undefined;
}

/** SecretStorage key of the API key for an endpoint: per origin (scheme, host and port). */
export function apiKeySecretName(endpoint: string): string {
  let origin = endpoint;
  try {
    origin = new URL(endpoint).origin;
  } catch {
    // Unparsable endpoints are refused before a key is ever read or stored.
  }
  return `visualCoder.remote.apiKey:${origin}`;
}

export interface ServerPreset {
  id: string;
  label: string;
  endpoint: string;
  /** One line for the quick pick: how to start it with a vision model. */
  howToStart: string;
}

export const SERVER_PRESETS: readonly ServerPreset[] = [
  {
    id: 'vllm',
    label: 'vLLM',
    endpoint: 'http://127.0.0.1:8000/v1',
    howToStart:
      'vllm serve deepseek-ai/deepseek-vl2-tiny --hf-overrides \'{"architectures":["DeepseekVLV2ForCausalLM"]}\' (or Qwen/Qwen2.5-VL-7B-Instruct; --tensor-parallel-size N across GPUs)',
  },
  {
    id: 'ollama',
    label: 'Ollama',
    endpoint: 'http://127.0.0.1:11434/v1',
    howToStart: 'ollama pull qwen2.5vl:7b (or llama3.2-vision), then `ollama serve`; the model name is e.g. qwen2.5vl:7b',
  },
  {
    id: 'lmstudio',
    label: 'LM Studio',
    endpoint: 'http://127.0.0.1:1234/v1',
    howToStart: 'download a vision model (e.g. Qwen2.5-VL-7B-Instruct GGUF), then Developer → Start Server, or `lms server start`',
  },
  {
    id: 'llamacpp',
    label: 'llama.cpp server',
    endpoint: 'http://127.0.0.1:8080/v1',
    howToStart: 'llama-server -m model.gguf --mmproj mmproj.gguf --port 8080 (a vision GGUF with its multimodal projector)',
  },
  {
    id: 'visual-coder',
    label: t('Visual Coder model host'),
    endpoint: 'http://127.0.0.1:8001/v1',
    howToStart: 'node dist/model-host.js serve --http 127.0.0.1:8001 --model MODEL (add --api-key KEY to serve other machines)',
  },
];

export interface RemoteStatusView {
  text: string;
  tooltip: string;
}

/** The status bar text for the remote backend; undefined when the local model is in use. */
export function describeRemoteStatus(settings: RemoteSettings): RemoteStatusView | undefined {
  if (settings.backend !== 'openai') return undefined;
  const host = endpointHost(settings.endpoint) || 'no endpoint';
  const model = settings.model || 'no model';
  return {
    text: t('$(cloud) {0} @ {1}', model, host),
    tooltip: t(
      'Visual Coder uses the OpenAI-compatible server at {0} with model {1}. Click to choose the model.',
      settings.endpoint || t('(not set)'),
      settings.model || t('(not set)'),
    ),
  };
}
