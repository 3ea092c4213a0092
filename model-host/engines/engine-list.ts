import type { EngineInfo } from '../protocol';

/** Engines compiled into this host. */
export function listEngines(): EngineInfo[] {
  return [
    { id: 'vlm', description: 'Local vision-language models on ONNX Runtime (DeepSeek-VL, Janus-Pro, Qwen2-VL)' },
    { id: 'ocr', description: 'PP-OCRv4 text detection and recognition with code-aware layout' },
    { id: 'remote', description: 'OpenAI-compatible chat-completions servers (vLLM, Ollama, LM Studio, llama.cpp)' },
  ];
}
