import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/**
 * ESLint's and typescript-eslint's recommended rules, syntactic only (no type-checked rules: `tsc --noEmit`
 * already type-checks, and linting stays a few seconds). Where a rule reports working code written that
 * way on purpose, it is turned off only where that is so, each with its reason; everywhere else it stays an error.
 */
export default defineConfig(
  { ignores: ["lib/", "node_modules/", "dist/", ".bench/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed arguments, variables and caught errors are unused on purpose (a signature to honour).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      // A `let` read by a closure before its one assignment (local/stage.ts wires a stage its own parts call back) stays a `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Test doubles of SDK clients, middleware and Pulumi mocks take whatever input a call has, and the local
    // stage's Pulumi mocks and DynamoDB keys are untyped by their libraries: every `any` reported today.
    files: ["tests/**", "local/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The CLIs load a user's domain module from a path given at run time, and tests load a fresh copy of a
    // module or the packed package by name: `require` is the point there (every report today).
    files: ["tools/**", "tests/**"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The physical-name rules are AWS's documented character classes, written as AWS lists them: escaped
    // punctuation inside classes, and the control characters an alarm name may not hold.
    files: ["components/names.ts"],
    rules: { "no-useless-escape": "off", "no-control-regex": "off" },
  },
  {
    // DynamoDB's largest number is written with all 38 of its significant digits, as AWS documents it.
    files: ["handlers/runtime/domain/storable.ts"],
    rules: { "no-loss-of-precision": "off" },
  },
);
