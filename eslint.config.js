// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { flatConfigs as importX } from 'eslint-plugin-import-x';
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
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-relative-packages': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
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
