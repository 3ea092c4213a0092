/**
 * Which remote models read images, against loopback servers that answer as the real ones do: an
 * OpenRouter-style model list with input modalities, LM Studio's /api/v0/models, Ollama's
 * /api/show, a vLLM-like list that says nothing (unknown), and the one-pixel probe's three outcomes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeModels, probeVision, visionFromEntry } from '../../model-host/engines/remote/model-capabilities';
import { jsonReply, modelsReply, startFakeOpenAiServer, type FakeServer } from '../fixtures/openai/fake-openai-server';

async function withServer(script: Parameters<typeof startFakeOpenAiServer>[0], body: (server: FakeServer) => Promise<void>): Promise<void> {
  const server = await startFakeOpenAiServer(script);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const notFound = jsonReply(404, { error: 'not found' });

test('a model entry’s own metadata decides when it has any', () => {
  assert.equal(visionFromEntry({ id: 'a', architecture: { input_modalities: ['text', 'image'] } }), 'yes');
  assert.equal(visionFromEntry({ id: 'a', architecture: { input_modalities: ['text'] } }), 'no');
  assert.equal(visionFromEntry({ id: 'a', input_modalities: ['TEXT', 'IMAGE'] }), 'yes');
  assert.equal(visionFromEntry({ id: 'a', modalities: { input: ['text'] } }), 'no');
  assert.equal(visionFromEntry({ id: 'a', capabilities: ['completion', 'vision'] }), 'yes');
  assert.equal(visionFromEntry({ id: 'a', owned_by: 'vllm' }), 'unknown');
  assert.equal(visionFromEntry({ id: 'a', input_modalities: 'image' }), 'unknown', 'not a list: not trusted');
});

test('metadata in the model list: no further request', async () => {
  await withServer(
    (req) =>
      req.path === '/v1/models'
        ? jsonReply(200, {
            data: [
              { id: 'qwen-vl', architecture: { input_modalities: ['text', 'image'] } },
              { id: 'llama-text', architecture: { input_modalities: ['text'] } },
            ],
          })
        : notFound,
    async (server) => {
      assert.deepEqual(
        (await describeModels({ endpoint: server.endpoint })).map((m) => [m.id, m.vision]),
        [
          ['llama-text', 'no'],
          ['qwen-vl', 'yes'],
        ],
      );
      assert.deepEqual(
        server.requests.map((r) => r.path),
        ['/v1/models'],
      );
    },
  );
});

test('LM Studio: the model type from /api/v0/models (vlm reads images), asked once', async () => {
  await withServer(
    (req) => {
      if (req.path === '/v1/models') return modelsReply(['qwen2.5-vl-7b', 'llama-3.2-3b', 'nomic-embed']);
      if (req.path === '/api/v0/models') {
        return jsonReply(200, {
          data: [
            { id: 'qwen2.5-vl-7b', type: 'vlm' },
            { id: 'llama-3.2-3b', type: 'llm' },
            { id: 'nomic-embed', type: 'embeddings' },
          ],
        });
      }
      return notFound;
    },
    async (server) => {
      const models = await describeModels({ endpoint: server.endpoint, apiKey: 'k' });
      assert.deepEqual(
        models.map((m) => [m.id, m.vision, m.source]),
        [
          ['llama-3.2-3b', 'no', 'LM Studio (type llm)'],
          ['nomic-embed', 'no', 'LM Studio (type embeddings)'],
          ['qwen2.5-vl-7b', 'yes', 'LM Studio (type vlm)'],
        ],
      );
      assert.ok(
        server.requests.every((r) => r.headers.authorization === 'Bearer k'),
        'the key goes to the same server only',
      );
    },
  );
});

test('Ollama: capabilities from /api/show per model; a server that is neither stays unknown after one try', async () => {
  await withServer(
    (req) => {
      if (req.path === '/v1/models') return modelsReply(['llava:7b', 'qwen2.5:7b']);
      if (req.path === '/api/show') {
        const model = (JSON.parse(req.body) as { model: string }).model;
        return jsonReply(200, { capabilities: model.startsWith('llava') ? ['completion', 'vision'] : ['completion', 'tools'] });
      }
      return notFound;
    },
    async (server) => {
      assert.deepEqual(
        (await describeModels({ endpoint: server.endpoint })).map((m) => [m.id, m.vision, m.source]),
        [
          ['llava:7b', 'yes', 'Ollama’s capabilities'],
          ['qwen2.5:7b', 'no', 'Ollama’s capabilities'],
        ],
      );
    },
  );
  await withServer(
    (req) => (req.path === '/v1/models' ? modelsReply(['a', 'b', 'c']) : notFound),
    async (server) => {
      assert.deepEqual(
        (await describeModels({ endpoint: server.endpoint })).map((m) => m.vision),
        ['unknown', 'unknown', 'unknown'],
      );
      assert.equal(server.requests.filter((r) => r.path === '/api/show').length, 1, 'one try, not one per model');
    },
  );
});

test('the one-pixel probe: answered is yes, refused naming images is no, anything else stays unknown with why', async () => {
  await withServer(
    (req) => {
      const body = JSON.parse(req.body) as { model: string; max_tokens: number; messages: { content: { type: string; image_url?: { url: string } }[] }[] };
      assert.equal(body.max_tokens, 1);
      assert.match(body.messages[0].content[1].image_url!.url, /^data:image\/png;base64,iVBOR/);
      if (body.model === 'vl') return jsonReply(200, { choices: [{ message: { content: 'White' } }] });
      if (body.model === 'text') return jsonReply(400, { error: { message: 'Image input is not supported by this model' } });
      return jsonReply(500, { error: { message: 'CUDA out of memory' } });
    },
    async (server) => {
      const probed = await probeVision({ endpoint: server.endpoint }, ['vl', 'text', 'broken']);
      assert.deepEqual(
        probed.map((m) => [m.id, m.vision, m.source]),
        [
          ['vl', 'yes', 'a one-pixel image it answered'],
          ['text', 'no', 'it refused a one-pixel image (HTTP 400)'],
          ['broken', 'unknown', 'the probe got HTTP 500'],
        ],
      );
    },
  );
});
