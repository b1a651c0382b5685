/**
 * The local endpoint: what the embedded emulator serves by default and what
 * the runtime talks to when no `ALOOMA_API_URL` is set. One place, so the
 * two can never disagree.
 */

/** Default connection of the embedded emulator. */
export const EmulatorDefaults = {
  HOST: '127.0.0.1',
  PORT: 8787,
  URL: 'http://127.0.0.1:8787',
  ACCOUNT: 'demo',
  USERNAME: 'demo@example.com',
  PASSWORD: 'demo',
  API_KEY: 'demo-key',
  DATA_DIR: '.alooma-local',
} as const;

/** The `alooma-cdktf` subcommand that runs the emulator. */
export const EMULATOR_SUBCOMMAND = 'emulator';
