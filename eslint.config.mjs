import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/generated/**',
      '**/*.cjs',
      '**/*.mjs',
      'libs/analyzers/test/fixtures/**',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          checkDynamicDependenciesExceptions: [],
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:adapter',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'],
            },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            {
              sourceTag: 'type:sdk',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:adapter', 'type:testing'],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:sdk', 'type:testing'],
            },
            {
              sourceTag: 'type:service',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:util',
                'type:adapter',
                'type:sdk',
                'type:feature',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:composition',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:adapter', 'type:testing'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:util',
                'type:adapter',
                'type:sdk',
                'type:feature',
                'type:service',
                'type:composition',
                'type:testing',
              ],
            },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway'] },
            { sourceTag: 'scope:registry', onlyDependOnLibsWithTags: ['scope:shared', 'scope:registry'] },
            // The scheduler app may host agent types in-process for `coordinator.fallback: local`.
            {
              sourceTag: 'scope:scheduler',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:scheduler', 'scope:agent'],
            },
            {
              sourceTag: 'scope:result-store',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:result-store'],
            },
            { sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:shared', 'scope:agent'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The CLI and the cluster launcher: clients of the platform, built on shared libs only.
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tools'] },
          ],
        },
      ],
    },
  },
];
