/**
 * The screenshot-to-code panel's script (runs inside the webview). Paste, drop or choose an image,
 * pick the stack, Generate: the code streams into the code view and renders live in a sandboxed
 * preview. State survives reloads through `setState`.
 */
import type { ExtensionToPanel, PanelChoice, PanelImage, PanelState, PanelToExtension } from '../../src/panel/panel-messages';
import { buildPreviewDocument } from './preview-doc';
import { ENGLISH_PANEL_STRINGS, fill, type PanelStrings } from '../../src/panel/panel-strings';
import { extractCode } from '../../model-host/protocol/code-blocks';

interface VsCodeApi {
  postMessage(message: PanelToExtension): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const nonce = (document.querySelector('script[nonce]') as HTMLScriptElement | null)?.nonce ?? '';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const stackSelect = $<HTMLSelectElement>('stack');
const dropZone = $<HTMLDivElement>('drop-zone');
const imageView = $<HTMLImageElement>('image');
const dropHint = $<HTMLParagraphElement>('drop-hint');
const codeView = $<HTMLElement>('code');
const statusLine = $<HTMLParagraphElement>('status');
const preview = $<HTMLIFrameElement>('preview');
const buttons = {
  choose: $<HTMLButtonElement>('choose'),
  generate: $<HTMLButtonElement>('generate'),
  regenerate: $<HTMLButtonElement>('regenerate'),
  cancel: $<HTMLButtonElement>('cancel'),
  insert: $<HTMLButtonElement>('insert'),
  open: $<HTMLButtonElement>('open-file'),
  copy: $<HTMLButtonElement>('copy'),
  desktop: $<HTMLButtonElement>('width-desktop'),
  mobile: $<HTMLButtonElement>('width-mobile'),
};

let stacks: PanelChoice[] = [];
let strings: PanelStrings = ENGLISH_PANEL_STRINGS;
let tailwind = '';
let running = false;
let raw = '';
const state: PanelState = vscode.getState() ?? { stack: '', code: '', language: 'html', status: ENGLISH_PANEL_STRINGS.idle };
let previewTimer: ReturnType<typeof setTimeout> | undefined;

function save(): void {
  vscode.setState(state);
}

function languageOf(stack: string): string {
  return stacks.find((s) => s.id === stack)?.language ?? 'html';
}

function setStatus(text: string): void {
  state.status = text;
  statusLine.textContent = text;
  save();
}

function render(): void {
  if (state.image) {
    imageView.src = `data:${state.image.mime};base64,${state.image.base64}`;
    imageView.alt = `Screenshot: ${state.image.name}`;
    imageView.hidden = false;
    dropHint.hidden = true;
  } else {
    imageView.hidden = true;
    dropHint.hidden = false;
  }
  codeView.textContent = state.code;
  statusLine.textContent = state.status;
  const hasCode = state.code.trim().length > 0;
  buttons.generate.disabled = running || !state.image;
  buttons.regenerate.disabled = running || !state.image || !hasCode;
  buttons.cancel.disabled = !running;
  buttons.insert.disabled = running || !hasCode;
  buttons.open.disabled = running || !hasCode;
  buttons.copy.disabled = running || !hasCode;
  stackSelect.disabled = running;
}

/** Re-renders the preview, at most twice a second while streaming (each render reloads the frame). */
function schedulePreview(immediate = false): void {
  clearTimeout(previewTimer);
  const update = () => {
    preview.srcdoc = buildPreviewDocument(state.code, state.language, nonce, tailwind, stacks.find((s) => s.id === state.stack)?.preview);
  };
  if (immediate) update();
  else previewTimer = setTimeout(update, 500);
}

function setImage(image: PanelImage): void {
  state.image = image;
  setStatus(fill(strings.imageReady, image.name));
  render();
}

function readFile(file: File): void {
  if (!file.type.startsWith('image/')) {
    setStatus(fill(strings.notAnImage, file.name || strings.thatFile));
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    const url = String(reader.result);
    setImage({ base64: url.slice(url.indexOf(',') + 1), mime: file.type, name: file.name || 'pasted image' });
  };
  reader.readAsDataURL(file);
}

function generate(): void {
  if (!state.image || running) return;
  running = true;
  raw = '';
  state.stack = stackSelect.value;
  state.language = languageOf(state.stack);
  state.code = '';
  setStatus(strings.waiting);
  render();
  vscode.postMessage({ type: 'generate', image: state.image, stack: state.stack });
}

function handle(message: ExtensionToPanel): void {
  switch (message.type) {
    case 'init': {
      stacks = message.stacks;
      strings = message.strings;
      tailwind = message.tailwind;
      stackSelect.replaceChildren(...stacks.map((s) => new Option(s.custom ? fill(strings.yours, s.title) : s.title, s.id)));
      // A stack removed from the settings since the last session falls back to the default.
      stackSelect.value = stacks.some((s) => s.id === state.stack) ? state.stack : message.defaultStack;
      if (!stackSelect.value && stacks.length) stackSelect.value = stacks[0].id;
      state.stack = stackSelect.value;
      render();
      if (state.code) schedulePreview(true);
      break;
    }
    case 'image':
      setImage(message.image);
      break;
    case 'started':
      setStatus(strings.generating);
      break;
    case 'delta':
      raw += message.text;
      // Show the code as it will end up: the block in the stack's language, without chatter.
      state.code = extractCode(raw, state.language) || raw;
      codeView.textContent = state.code;
      codeView.scrollTop = codeView.scrollHeight;
      save();
      schedulePreview();
      break;
    case 'done':
      running = false;
      state.code = message.output;
      state.language = message.language;
      setStatus(message.message ?? (message.finishReason === 'cancelled' ? strings.cancelled : strings.done));
      render();
      schedulePreview(true);
      break;
    case 'failed':
      running = false;
      setStatus(message.message);
      render();
      break;
    case 'notice':
      setStatus(message.message);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<ExtensionToPanel>) => {
  // Only the extension talks to the panel; the preview frame runs the model's page and could post too.
  if (event.source === preview.contentWindow) return;
  handle(event.data);
});

document.addEventListener('paste', (event) => {
  const item = Array.from(event.clipboardData?.items ?? []).find((i) => i.kind === 'file' && i.type.startsWith('image/'));
  const file = item?.getAsFile();
  if (file) {
    event.preventDefault();
    readFile(file);
  }
});
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) readFile(file);
});
dropZone.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    vscode.postMessage({ type: 'chooseImage' });
  }
});

buttons.choose.addEventListener('click', () => vscode.postMessage({ type: 'chooseImage' }));
buttons.generate.addEventListener('click', generate);
buttons.regenerate.addEventListener('click', generate);
buttons.cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
buttons.insert.addEventListener('click', () => vscode.postMessage({ type: 'insert', code: state.code, language: state.language }));
buttons.open.addEventListener('click', () => vscode.postMessage({ type: 'openAsFile', code: state.code, language: state.language }));
buttons.copy.addEventListener('click', () => vscode.postMessage({ type: 'copy', code: state.code }));
stackSelect.addEventListener('change', () => {
  state.stack = stackSelect.value;
  save();
});

function setWidth(mobile: boolean): void {
  preview.classList.toggle('mobile', mobile);
  buttons.mobile.setAttribute('aria-pressed', String(mobile));
  buttons.desktop.setAttribute('aria-pressed', String(!mobile));
}
buttons.desktop.addEventListener('click', () => setWidth(false));
buttons.mobile.addEventListener('click', () => setWidth(true));

render();
vscode.postMessage({ type: 'ready' });
