// Two tiers (docs/conventions.md "Two test tiers"): fast unit specs beside the source, and integration specs under
// each project's test/ folder that run against a real PostgreSQL, Redis and (when an engine
// answers) Docker, started by the harness in libs/testing on free loopback ports.
// Nest 12 ships as ES modules; our code compiles to CommonJS and requires them natively, which
// Jest supports on Node >= 24.9 with --experimental-vm-modules (set by the npm scripts).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const moduleNameMapper = {
  '^@hivemind/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@hivemind/contracts/dto$': '<rootDir>/libs/contracts/src/dto/index.ts',
  '^@hivemind/contracts/grpc$': '<rootDir>/libs/contracts/src/grpc/index.ts',
  '^@hivemind/contracts/wireguard$': '<rootDir>/libs/contracts/src/wireguard/index.ts',
  '^@hivemind/contracts/tls$': '<rootDir>/libs/contracts/src/tls/index.ts',
  '^@hivemind/config$': '<rootDir>/libs/config/src/index.ts',
  '^@hivemind/local-stack$': '<rootDir>/libs/local-stack/src/index.ts',
  '^@hivemind/testing$': '<rootDir>/libs/testing/src/index.ts',
  '^@hivemind/ui$': '<rootDir>/libs/ui/src/index.ts',
  '^@hivemind/ui/charts$': '<rootDir>/libs/ui/src/charts/index.ts',
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.hivemind/'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/*/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/setup-integration.ts'],
      slowTestThreshold: 30,
    },
  ],
};
