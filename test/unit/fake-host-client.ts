/**
 * A `HostClient` for unit tests of the extension side: requests answered by method from a table
 * (a value, or a function of the params), notifications delivered by `notify`, every request recorded.
 */
import type { TaskInfo } from '../../model-host/protocol';
import type { HostClient, HostState } from '../../src/host/host-client';

type Answer = unknown | ((params: unknown) => unknown);

export function fakeHostClient(answers: Record<string, Answer>, state: HostState = 'ready') {
  const requests: Array<{ method: string; params: unknown }> = [];
  const handlers = new Map<string, Array<(params: unknown) => void>>();
  const host = {
    state,
    info: undefined,
    whenReady: async () => ({ version: 'test', pid: 1, devices: [], device: 'cpu', engines: [] }),
    onDidChangeState: () => ({ dispose() {} }),
    sendRequest: async (type: { method: string }, params?: unknown) => {
      requests.push({ method: type.method, params });
      if (!(type.method in answers)) throw new Error(`no answer for ${type.method}`);
      const answer = answers[type.method];
      return typeof answer === 'function' ? await (answer as (p: unknown) => unknown)(params) : answer;
    },
    onNotification: (type: { method: string }, handler: (params: unknown) => void) => {
      handlers.set(type.method, [...(handlers.get(type.method) ?? []), handler]);
      return {
        dispose: () =>
          handlers.set(
            type.method,
            (handlers.get(type.method) ?? []).filter((h) => h !== handler),
          ),
      };
    },
  } as unknown as HostClient;
  const notify = (method: string, params: unknown) => (handlers.get(method) ?? []).forEach((h) => h(params));
  return { host, requests, notify, listeners: (method: string) => (handlers.get(method) ?? []).length };
}

/** A task of the registry as `task/list` describes it, with one option. */
export function taskWithOption(
  id: string,
  title: string,
  option: { name: string; title: string; choices: Array<[id: string, title: string, language: string]> },
): TaskInfo {
  const choices = option.choices.map(([choiceId, choiceTitle, language]) => ({ id: choiceId, title: choiceTitle, language }));
  return { id, title, language: choices[0].language, engines: ['vlm'], options: [{ name: option.name, title: option.title, default: choices[0].id, choices }] };
}

/** Two tasks shaped like the registry's: Screenshot to Code (stack) and Chart to Code (library). */
export const UI_TO_CODE = taskWithOption('ui-to-code', 'Screenshot to Code', {
  name: 'stack',
  title: 'Stack',
  choices: [
    ['html-tailwind', 'HTML + Tailwind', 'html'],
    ['vue', 'Vue', 'vue'],
  ],
});
export const CHART_TO_CODE = taskWithOption('chart-to-code', 'Chart to Code', {
  name: 'library',
  title: 'Library',
  choices: [
    ['matplotlib', 'matplotlib', 'python'],
    ['vega-lite', 'Vega-Lite', 'json'],
  ],
});
