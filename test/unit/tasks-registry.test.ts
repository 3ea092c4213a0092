import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TASKS, buildPrompt, getTask, listTasks, promptFamilyOf, resolveChoice } from '../../model-host/tasks/registry';
import { PROMPT_FAMILIES, languageFor } from '../../model-host/tasks/task-definition';

test('the registry has every task the issue asks for, with its options', () => {
  const ids = listTasks().map((t) => t.id);
  for (const id of [
    'ui-to-code',
    'chart-to-code',
    'flowchart-to-code',
    'explain-code-image',
    'find-bug-in-code-image',
    'formula-to-latex',
    'table-to-markdown',
    'transcribe-code',
  ]) {
    assert.ok(ids.includes(id), id);
  }
  const choices = (id: string) =>
    listTasks()
      .find((t) => t.id === id)!
      .options[0].choices.map((c) => c.id);
  assert.deepEqual(choices('ui-to-code'), ['html-tailwind', 'html-css', 'react-tailwind', 'vue-sfc', 'bootstrap']);
  assert.deepEqual(choices('chart-to-code'), ['matplotlib', 'plotly', 'vega-lite']);
  assert.deepEqual(choices('flowchart-to-code'), ['python', 'typescript', 'mermaid']);
  assert.deepEqual(getTask('transcribe-code').engines, ['ocr']);
});

test('output language follows the option choice', () => {
  const ui = getTask('ui-to-code');
  assert.equal(languageFor(ui, 'react-tailwind'), 'javascriptreact');
  assert.equal(languageFor(ui, 'vue-sfc'), 'vue');
  assert.equal(languageFor(ui, undefined), 'html');
  assert.equal(languageFor(getTask('chart-to-code'), 'vega-lite'), 'json');
  assert.equal(languageFor(getTask('flowchart-to-code'), 'mermaid'), 'mermaid');
  assert.equal(languageFor(getTask('formula-to-latex'), ''), 'latex');
});

test('choices: default, explicit, and clear errors for typos', () => {
  const ui = getTask('ui-to-code');
  assert.equal(resolveChoice(ui), 'html-tailwind');
  assert.equal(resolveChoice(ui, { stack: 'vue-sfc' }), 'vue-sfc');
  assert.throws(() => resolveChoice(ui, { stack: 'angular' }), /"angular" is not a stack of task "ui-to-code"; choose one of html-tailwind/);
  assert.throws(() => resolveChoice(ui, { library: 'plotly' }), /has no option "library"; its option is "stack"/);
  assert.throws(() => resolveChoice(getTask('formula-to-latex'), { stack: 'x' }), /takes no options/);
  assert.throws(() => getTask('ui-to-cod'), /unknown task "ui-to-cod"; known tasks: ui-to-code/);
});

test('engine families map to prompt families', () => {
  assert.equal(promptFamilyOf('deepseek-vl'), 'deepseek-vl');
  assert.equal(promptFamilyOf('deepseek-vl-hybrid'), 'deepseek-vl');
  assert.equal(promptFamilyOf('janus'), 'janus');
  assert.equal(promptFamilyOf('qwen2-vl'), 'qwen2-vl');
  assert.equal(promptFamilyOf('remote'), 'generic');
});

test('every task has a non-empty prompt for every family and choice', () => {
  for (const task of TASKS) {
    const choices = task.option ? task.option.choices.map((c) => c.id) : [''];
    for (const choice of choices) {
      for (const family of PROMPT_FAMILIES) {
        const prompt = buildPrompt({ task, choice, family });
        assert.ok(prompt.user.length > 10, `${task.id}/${choice}/${family}`);
      }
    }
  }
});

test('small models get the short prompt and no system prompt; others get system + detailed', () => {
  const task = getTask('ui-to-code');
  const small = buildPrompt({ task, choice: 'react-tailwind', family: 'deepseek-vl' });
  assert.equal(small.system, undefined);
  assert.equal(small.user, 'Write this web page as one React component using Tailwind CSS classes.');
  const big = buildPrompt({ task, choice: 'react-tailwind', family: 'generic' });
  assert.match(big.system!, /front-end developer/);
  assert.match(big.user, /self-contained React function component/);
  assert.equal(
    buildPrompt({ task: getTask('flowchart-to-code'), choice: 'python', family: 'janus' }).user,
    'Can you translate the flowchart to a python code?',
  );
});

test('OCR text and the user instruction are appended to the prompt', () => {
  const prompt = buildPrompt({
    task: getTask('ui-to-code'),
    choice: 'html-css',
    family: 'deepseek-vl',
    ocrText: 'Sign in\nForgot password?',
    instruction: 'Use a dark theme.',
  });
  assert.equal(
    prompt.user,
    'Write the HTML and CSS code of this web page.\n\nThe text in the image, as read by OCR (top to bottom):\nSign in\nForgot password?\n\nUse a dark theme.',
  );
  assert.equal(
    buildPrompt({ task: getTask('ui-to-code'), choice: 'html-css', family: 'deepseek-vl', ocrText: '  ' }).user,
    'Write the HTML and CSS code of this web page.',
  );
});
