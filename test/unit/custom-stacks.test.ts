/** The user's own stacks: read from the setting's entries with a reason for each one left out, and run as choices of ui-to-code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCustomStacks, stackIdFromName } from '../../model-host/protocol';
import { buildPrompt, getTask, languageFor, listTasks, resolveChoice } from '../../model-host/tasks/registry';

test('a stack id comes from its name', () => {
  assert.equal(stackIdFromName('Svelte 5 + Tailwind'), 'svelte-5-tailwind');
  assert.equal(stackIdFromName('  Flutter (Material 3) '), 'flutter-material-3');
  assert.equal(stackIdFromName('Ünïcode'), 'unicode');
  assert.equal(stackIdFromName('+++'), '');
});

test('entries become stacks; each bad one is left out with a sentence that says what to fix', () => {
  const read = readCustomStacks([
    { name: 'Svelte 5', language: 'svelte', instructions: ' One Svelte 5 component. ', preview: 'html' },
    { name: 'Company UI', instructions: 'Use @acme/ui components only.' },
    { name: 'Flutter', language: 'dart', instructions: 'One StatelessWidget.', preview: 'none' },
    { name: 'No instructions' },
    { name: '+++', instructions: 'x' },
    { name: 'svelte 5', instructions: 'again' },
    { name: 'Bad preview', instructions: 'x', preview: 'flash' },
    { name: 'Bad language', instructions: 'x', language: 'c sharp' },
    'not an object',
  ]);
  assert.deepEqual(read.stacks, [
    { id: 'svelte-5', title: 'Svelte 5', language: 'svelte', instructions: 'One Svelte 5 component.', preview: 'html' },
    { id: 'company-ui', title: 'Company UI', language: 'html', instructions: 'Use @acme/ui components only.' },
    { id: 'flutter', title: 'Flutter', language: 'dart', instructions: 'One StatelessWidget.', preview: 'none' },
  ]);
  assert.equal(read.problems.length, 6);
  assert.match(read.problems[0], /"No instructions" needs "instructions"/);
  assert.match(read.problems[1], /custom stack 5 needs a "name"/);
  assert.match(read.problems[2], /same id \(svelte-5\)/);
  assert.match(read.problems[3], /"preview" "flash"; use one of html, react, vue, none/);
  assert.match(read.problems[4], /not a VS Code language id/);
  assert.match(read.problems[5], /custom stack 9 is not an object/);
  assert.deepEqual(readCustomStacks(undefined), { stacks: [], problems: [] });
  assert.match(readCustomStacks({ name: 'x' }).problems[0], /must be a list/);
});

test('custom stacks are further choices of ui-to-code only, with their language and a prompt carrying the instructions', () => {
  const { stacks } = readCustomStacks([{ name: 'Svelte 5', language: 'svelte', instructions: 'One Svelte 5 component with runes.' }]);
  const ui = listTasks(stacks).find((t) => t.id === 'ui-to-code')!;
  assert.deepEqual(ui.options[0].choices.at(-1), { id: 'svelte-5', title: 'Svelte 5', language: 'svelte', custom: true });
  assert.equal(listTasks().find((t) => t.id === 'ui-to-code')!.options[0].choices.length, ui.options[0].choices.length - 1);
  const task = getTask('ui-to-code', stacks);
  assert.equal(resolveChoice(task, { stack: 'svelte-5' }), 'svelte-5');
  assert.equal(languageFor(task, 'svelte-5'), 'svelte');
  assert.match(
    buildPrompt({ task, choice: 'svelte-5', family: 'deepseek-vl' }).user,
    /^Write the code of this web page in Svelte 5\. One Svelte 5 component with runes\.$/,
  );
  const detailed = buildPrompt({ task, choice: 'svelte-5', family: 'generic' });
  assert.match(detailed.user, /reproduces this screenshot in Svelte 5\. One Svelte 5 component with runes\. Use the exact text/);
  assert.match(detailed.system ?? '', /expert front-end developer/);
  // Built-in stacks keep their own prompts.
  assert.match(buildPrompt({ task, choice: 'vue-sfc', family: 'generic' }).user, /Vue 3 single-file component/);
  assert.throws(() => resolveChoice(getTask('ui-to-code'), { stack: 'svelte-5' }), /"svelte-5" is not a stack/);
  assert.throws(() => getTask('ui-to-code', [{ ...stacks[0], id: 'html-css' }]), /has the id of another stack/);
  assert.equal(getTask('chart-to-code', stacks), getTask('chart-to-code'));
});
