// ESLint flat config: typescript-eslint's recommended rules over the extension, host, tests and scripts,
// plus the rules that hold the layout of docs/architecture.md:
// - src/ and media/ may import from the model host only its shared contract, model-host/protocol/**;
// - only src/extension.ts imports the `vscode` runtime (elsewhere `import type`, so modules stay testable in Node);
// - the model host never imports the extension or the webview.
import tseslint from 'typescript-eslint';

/** Imports of model-host internals from the extension side. */
const HOST_INTERNALS = {
  group: ['**/model-host/**', '!**/model-host/protocol', '!**/model-host/protocol/**'],
  message: 'src/ and media/ import from the model host only model-host/protocol/** (see docs/architecture.md).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', '.vscode-test/**', '.tmp/**', 'test/fixtures/generated/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'media/**/*.ts'],
    ignores: ['src/extension.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              allowTypeImports: true,
              message: 'Only src/extension.ts imports the vscode runtime; take it as a parameter and use `import type`.',
            },
          ],
          patterns: [HOST_INTERNALS],
        },
      ],
    },
  },
  {
    files: ['src/extension.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [HOST_INTERNALS] }] },
  },
  {
    files: ['model-host/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The model host runs outside VS Code.' }],
          patterns: [{ group: ['**/src/**', '**/media/**'], message: 'The model host never imports the extension or the webview.' }],
        },
      ],
    },
  },
);
