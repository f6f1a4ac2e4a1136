// ESM entry of @dialtone/testing: the same classes as the CommonJS entry (one implementation,
// so `instanceof` holds whichever way a suite loads the package).
import cjs from './index.cjs';

export const {
  Dialtone,
  Account,
  ScriptedCallee,
  LiveCallee,
  Faults,
  DialtoneError,
  RouteMissingError,
  WaitTimeoutError,
} = cjs;
