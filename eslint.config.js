// ESLint flat config. The layer rules here are the project's architecture, enforced:
//   tracer <- core <- hw-sim <- cli / desktop
// Pure packages never import the DOM, Electron or (outside explicit Node entry points) `node:`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

const nodeBuiltins = [
  "node:*",
  "fs",
  "path",
  "os",
  "zlib",
  "worker_threads",
  "child_process",
  "stream",
  "url",
  "util",
  "crypto",
  "events",
  "readline",
];
const uiAndShell = [
  "react",
  "react-dom",
  "react/*",
  "electron",
  "@devscope/desktop",
  "@devscope/desktop/*",
];
const layer = (forbidden, message) => ({
  "no-restricted-imports": ["error", { patterns: [{ group: forbidden, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/out/**",
      "**/node_modules/**",
      "**/test-results/**",
      "**/playwright-report/**",
      "fixtures/**",
      "**/.bench/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js", "scripts/**", "tools/**"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
      },
    },
  },
  // tracer: pure, except its explicit Node entry point src/node/**.
  {
    files: ["packages/tracer/src/**/*.ts"],
    ignores: [
      "packages/tracer/src/node/**",
      "packages/tracer/src/**/*.test.ts",
      "packages/tracer/src/**/*.bench.ts",
    ],
    rules: layer(
      [...nodeBuiltins, ...uiAndShell, "@devscope/core", "@devscope/hw-sim", "@devscope/cli"],
      "tracer is the bottom layer: pure TypeScript, no Node built-ins (use src/node/), no UI, no upper packages.",
    ),
  },
  {
    files: ["packages/tracer/src/node/**/*.ts"],
    rules: layer(
      [...uiAndShell, "@devscope/core", "@devscope/hw-sim", "@devscope/cli"],
      "tracer/node may use Node built-ins but no upper layer.",
    ),
  },
  // core: pure; may use tracer only.
  {
    files: ["packages/core/src/**/*.ts"],
    ignores: ["packages/core/src/**/*.test.ts"],
    rules: layer(
      [...nodeBuiltins, ...uiAndShell, "@devscope/hw-sim", "@devscope/cli"],
      "core is pure (runs in a browser worker): tracer only; no Node built-ins, no UI, no upper packages.",
    ),
  },
  // hw-sim: pure; may use core and tracer.
  {
    files: ["packages/hw-sim/src/**/*.ts"],
    ignores: ["packages/hw-sim/src/**/*.test.ts"],
    rules: layer(
      [...nodeBuiltins, ...uiAndShell, "@devscope/cli"],
      "hw-sim is pure (runs in a browser worker): core and tracer only; no Node built-ins, no UI.",
    ),
  },
  // cli: Node program; no UI.
  {
    files: ["packages/cli/src/**/*.ts"],
    rules: layer([...uiAndShell], "the CLI has no UI dependencies."),
  },
  // desktop renderer: browser code; no electron, no node.
  {
    files: ["apps/desktop/src/renderer/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...layer(
        [...nodeBuiltins, "electron", "@devscope/cli", "@devscope/tracer/node"],
        "the renderer is a web app: no Electron, no Node built-ins (go through HostApi).",
      ),
    },
  },
  {
    files: ["apps/desktop/src/preload/**/*.ts"],
    rules: layer(
      ["react", "react-dom", "../renderer/*", "../main/*", "@devscope/*"],
      "preload only bridges IPC: no logic, no packages.",
    ),
  },
  {
    files: ["apps/desktop/src/main/**/*.ts"],
    rules: layer(["react", "react-dom", "../renderer/*"], "main never imports renderer code."),
  },
);
