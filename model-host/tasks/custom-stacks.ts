/**
 * The user's own stacks for Screenshot to Code (Svelte, Flutter, a company design system…), beside
 * the built-in ones: each becomes a choice of ui-to-code's `stack` option whose prompt is the common
 * "reproduce this screenshot" plus the user's instructions, in the language the user named.
 */
import type { CustomStack, TaskChoiceInfo } from '../protocol';
import { CUSTOM_STACK_ID } from '../protocol/custom-stacks';
import type { TaskDefinition, TaskPrompt } from './task-definition';

export class CustomStackError extends Error {}

/** Refuses stacks a run could not tell apart from another (a clash with a built-in or a repeated id). */
export function checkCustomStacks(task: TaskDefinition, stacks: readonly CustomStack[]): void {
  const seen = new Set(task.option?.choices.map((c) => c.id));
  for (const stack of stacks) {
    if (!CUSTOM_STACK_ID.test(stack.id)) throw new CustomStackError(`custom stack id "${stack.id}" must be lower-case letters, digits and dashes`);
    if (seen.has(stack.id)) throw new CustomStackError(`custom stack "${stack.id}" has the id of another stack; give it another name`);
    seen.add(stack.id);
  }
}

function customPrompt(stack: CustomStack, system: string): TaskPrompt {
  const instructions = stack.instructions.trim();
  return {
    short: `Write the code of this web page in ${stack.title}. ${instructions}`,
    detailed: `Write code that reproduces this screenshot in ${stack.title}. ${instructions} Use the exact text from the screenshot, matching colours, spacing and layout. No external files.`,
    system,
  };
}

/** The task with the custom stacks as further choices of its option (the task itself when there are none). */
export function withCustomStacks(task: TaskDefinition, stacks: readonly CustomStack[] | undefined, system: string): TaskDefinition {
  if (!stacks?.length || !task.option) return task;
  checkCustomStacks(task, stacks);
  const custom: TaskChoiceInfo[] = stacks.map((s) => ({
    id: s.id,
    title: s.title,
    language: s.language,
    custom: true,
    ...(s.preview ? { preview: s.preview } : {}),
  }));
  const byId = new Map(stacks.map((s) => [s.id, s]));
  return {
    ...task,
    option: { ...task.option, choices: [...task.option.choices, ...custom] },
    prompt(choice) {
      const stack = byId.get(choice);
      return stack ? customPrompt(stack, system) : task.prompt(choice);
    },
  };
}
