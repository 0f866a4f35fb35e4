/**
 * `serverless-event-ledger/lambda`: the Lambda handlers the components bundle, each a factory
 * over a domain or projection that reads its settings from the environment its component sets
 * (or from `settings`), for a function of your own or a test.
 */
export {
  CommandApiFunctionSettings,
  HttpApiEvent,
  commandApiSettingsFromEnv,
  createCommandApiHandler,
  toHttpRequest,
} from "./commandApiHandler";
export { createDaxCommandApiHandler } from "./commandApiDaxHandler";
export { DispatcherFunctionSettings, createDispatcherHandler, dispatcherSettingsFromEnv } from "./dispatcherHandler";
export { ProjectorFunctionSettings, createProjectorHandler, projectorSettingsFromEnv } from "./projectorHandler";
export { ReactorFunctionSettings, createReactorHandler, reactorSettingsFromEnv } from "./reactorHandler";
