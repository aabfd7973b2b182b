import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    // Type tests (`*.test-d.ts`): tsc checks them, so a type that accepts a misspelt config field fails the run.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    globalSetup: ['test/_setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
