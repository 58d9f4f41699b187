import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/*.tmp.ts', '**/node_modules/**', '**/dist/**', 'libs/contracts/src/gen/**', '.demo/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  // Arrows point one way: libraries never import a service, services never import each other or
  // the demo. Only tests, the bench and the demo runner may reach across.
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@handrail/svc-*', '@handrail/svc-*/**', '**/services/**'], message: 'a library must not import a service: move the shared code into a library' }] }],
    },
  },
  {
    files: ['services/**/*.ts'],
    ignores: ['services/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@handrail/svc-*', '@handrail/svc-*/**', '../../*/src/**', '../../../services/**'], message: 'a service must not import another service: shared code belongs in a library' },
            { group: ['@handrail/demo', '@handrail/demo/**', '**/libs/demo/**'], message: 'a service must not import the demo: its data reaches services only through configuration (POLICY_FILE, KB_DIR)' },
            { group: ['@handrail/fake-helpdesks', '@handrail/fake-helpdesks/**', '**/libs/fake-helpdesks/**'], message: 'a service must not import the fake helpdesks: they are test doubles for contract tests and the demo' },
          ],
        },
      ],
    },
  },
  // The fake helpdesks are test doubles: only tests and the demo runner may start them.
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/demo-runner/**', 'libs/fake-helpdesks/**', 'libs/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@handrail/svc-*', '@handrail/svc-*/**', '**/services/**'], message: 'a library must not import a service: move the shared code into a library' },
            { group: ['@handrail/fake-helpdesks', '@handrail/fake-helpdesks/**'], message: 'only tests and the demo runner may use the fake helpdesks' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { URL: 'readonly', console: 'readonly', process: 'readonly' } },
  },
);
