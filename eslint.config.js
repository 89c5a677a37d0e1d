// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { flatConfigs as importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint, { configs as tsConfigs } from 'typescript-eslint';

/** Packages have a direction: api <- server, agent, web. Nothing imports upward. */
const direction = {
  api: ['@shipyard/server', '@shipyard/agent', '@shipyard/web', '@shipyard/localkube'],
  localkube: ['@shipyard/server', '@shipyard/agent', '@shipyard/web', '@shipyard/api'],
  agent: ['@shipyard/server', '@shipyard/web'],
  server: ['@shipyard/agent', '@shipyard/web'],
  web: ['@shipyard/server', '@shipyard/agent', '@shipyard/localkube'],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.cache/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tsConfigs.recommended,
  importX.recommended,
  importX.typescript,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: ['tsconfig.json', 'packages/web/tsconfig.json'] }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-relative-packages': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  // The console runs in the browser: its globals, and the rules of hooks (with React Compiler's checks).
  {
    files: ['packages/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.flat.recommended.rules,
  },
  // antd warns in the browser about deprecated props; catch them here (typed lint, the console's files only).
  {
    files: ['packages/web/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-deprecated': 'error' },
  },
  // e2e drives a real server as the integration tests do, with the server's testing helpers.
  { files: ['e2e/**'], rules: { 'import-x/no-relative-packages': 'off' } },
  ...Object.entries(direction).map(([pkg, banned]) => ({
    files: [`packages/${pkg}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: banned.map((b) => ({
            group: [b, `${b}/*`],
            message: `packages/${pkg} must not import ${b}`,
          })),
        },
      ],
    },
  })),
);
