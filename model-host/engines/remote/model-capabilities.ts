/**
 * Which of a server's models read images, from what the server itself says: a model entry's own
 * metadata in `GET /v1/models` (`architecture.input_modalities`, `input_modalities`, `modalities`,
 * `capabilities`), LM Studio's model type (`GET /api/v0/models`: `vlm`), Ollama's capabilities
 * (`POST /api/show`: `vision`). Where none of them knows, the answer is `unknown`, and
 * `probeVision` can ask the model itself with a one-pixel image.
 */
import type { RemoteModelInfo } from '../../protocol';
import { endpointUrl, requestJson, type RemoteHttpOptions } from './openai-http';

/** A 1×1 white PNG: the smallest image a server has to accept or refuse. */
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC';

/** Ollama's /api/show is one request per model: enough for a picker, not for a hub of thousands. */
const MAX_SHOW_REQUESTS = 50;

type Entry = Record<string, unknown>;

function asStrings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]).map((v) => v.toLowerCase()) : undefined;
}

/** What one `/v1/models` entry says about images, if anything. */
export function visionFromEntry(entry: Entry): RemoteModelInfo['vision'] {
  const architecture = entry.architecture as Entry | undefined;
  const modalities = entry.modalities as Entry | string[] | undefined;
  const inputs =
    asStrings(architecture?.input_modalities) ?? asStrings(entry.input_modalities) ?? asStrings(Array.isArray(modalities) ? modalities : modalities?.input);
  if (inputs) return inputs.includes('image') ? 'yes' : 'no';
  const capabilities = asStrings(entry.capabilities);
  if (capabilities?.some((c) => c === 'vision' || c === 'image' || c === 'images')) return 'yes';
  return 'unknown';
}

/** The server's root (`http://host:11434` for `http://host:11434/v1`), where Ollama's and LM Studio's own APIs live. */
function serverRoot(endpoint: string): string {
  return endpoint.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The server's models with whether each reads images and who said so. */
export async function describeModels(options: RemoteHttpOptions): Promise<RemoteModelInfo[]> {
  const answer = await requestJson(endpointUrl(options.endpoint, 'models'), options);
  const data = (answer.body as { data?: Entry[] } | undefined)?.data;
  const entries = Array.isArray(data) ? data.filter((e) => e && typeof e.id === 'string') : [];
  const byId = new Map<string, RemoteModelInfo>();
  for (const e of entries) {
    const vision = visionFromEntry(e);
    byId.set(e.id as string, { id: e.id as string, vision, ...(vision !== 'unknown' ? { source: 'the server’s model list' } : {}) });
  }
  const unknown = () => [...byId.values()].filter((m) => m.vision === 'unknown');
  if (unknown().length) await askLmStudio(options, byId);
  if (unknown().length) await askOllama(options, unknown().slice(0, MAX_SHOW_REQUESTS), byId);
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

async function askLmStudio(options: RemoteHttpOptions, byId: Map<string, RemoteModelInfo>): Promise<void> {
  const answer = await requestJson(`${serverRoot(options.endpoint)}/api/v0/models`, options).catch(() => undefined);
  const data = (answer?.body as { data?: Entry[] } | undefined)?.data;
  if (answer?.status !== 200 || !Array.isArray(data)) return;
  for (const e of data) {
    const known = typeof e.id === 'string' ? byId.get(e.id) : undefined;
    if (!known || known.vision !== 'unknown' || typeof e.type !== 'string') continue;
    known.vision = e.type === 'vlm' ? 'yes' : 'no';
    known.source = `LM Studio (type ${e.type})`;
  }
}

async function askOllama(options: RemoteHttpOptions, models: RemoteModelInfo[], byId: Map<string, RemoteModelInfo>): Promise<void> {
  const url = `${serverRoot(options.endpoint)}/api/show`;
  const first = await requestJson(url, options, { model: models[0].id }).catch(() => undefined);
  // Not Ollama (404, HTML, no capabilities field): no point asking for the others.
  if (!first || first.status !== 200 || !asStrings((first.body as Entry | undefined)?.capabilities)) return;
  const answers = [first, ...(await Promise.all(models.slice(1).map((m) => requestJson(url, options, { model: m.id }).catch(() => undefined))))];
  answers.forEach((a, i) => {
    const capabilities = asStrings((a?.body as Entry | undefined)?.capabilities);
    if (a?.status !== 200 || !capabilities) return;
    const model = byId.get(models[i].id)!;
    model.vision = capabilities.includes('vision') ? 'yes' : 'no';
    model.source = 'Ollama’s capabilities';
  });
}

/** Words servers use when they refuse an image for a text-only model. */
const REFUSES_IMAGES = /image|vision|multimodal|multi-modal|modalit/i;

/**
 * Asks each model for one token about a one-pixel image: a 2xx means it takes images, a 4xx that
 * names images means it does not; anything else (a timeout, a 5xx) stays unknown, with why.
 */
export async function probeVision(options: RemoteHttpOptions, models: string[]): Promise<RemoteModelInfo[]> {
  const url = endpointUrl(options.endpoint, 'chat/completions');
  const probe = async (id: string): Promise<RemoteModelInfo> => {
    const body = {
      model: id,
      max_tokens: 1,
      stream: false,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What colour is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${ONE_PIXEL_PNG}` } },
          ],
        },
      ],
    };
    try {
      const answer = await requestJson(url, { ...options, maxRetries: 0 }, body);
      if (answer.status >= 200 && answer.status < 300) return { id, vision: 'yes', source: 'a one-pixel image it answered' };
      if (answer.status >= 400 && answer.status < 500 && REFUSES_IMAGES.test(answer.text)) {
        return { id, vision: 'no', source: `it refused a one-pixel image (HTTP ${answer.status})` };
      }
      return { id, vision: 'unknown', source: `the probe got HTTP ${answer.status}` };
    } catch (err) {
      return { id, vision: 'unknown', source: `the probe failed: ${(err as Error).message}` };
    }
  };
  const results: RemoteModelInfo[] = [];
  // Two at a time: a local server loads each model to answer, and has one GPU.
  for (let i = 0; i < models.length; i += 2) results.push(...(await Promise.all(models.slice(i, i + 2).map(probe))));
  return results;
}
