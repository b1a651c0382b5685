/**
 * `live-diff`: what the constructs run once per app during synth. Reads every
 * stack's manifest from stdin, reads the live structure once per connection,
 * and prints JSON: per stack, the report lines and the drift token. Never
 * fails synth: any problem becomes `{ ok: false, message }`.
 */
import { ConnectionSpec, Manifest } from '../protocol';
import { driftToken } from '../reconcile/drift';
import { hasReferences } from '../references';
import { LiveInput, planManifest } from '../reconcile/plan';
import { liveReportLines } from '../reconcile/report';
import { formatError } from './errors';

/** Result for one stack. */
export interface StackLiveDiff {
  readonly token: string;
  readonly lines: string[];
}

/** What `live-diff` prints. */
export type LiveDiffResult =
  | {
      readonly ok: true;
      readonly stacks: Record<string, StackLiveDiff>;
      readonly structureReads: number;
    }
  | { readonly ok: false; readonly message: string };

/** Reads live state once per distinct connection and diffs every manifest against it. */
export async function liveDiff(
  manifests: readonly Manifest[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<LiveDiffResult> {
  const byConnection = new Map<string, Manifest[]>();
  const stacks: Record<string, StackLiveDiff> = {};
  for (const manifest of manifests) {
    if (hasReferences(manifest.connection)) {
      // Where Alooma is comes from Terraform: nothing to compare with before apply.
      stacks[manifest.owner] = {
        token: '',
        lines: [
          `alooma (${manifest.owner}): live diff skipped: the connection's URL or account comes from Terraform (resolved at apply).`,
        ],
      };
      continue;
    }
    const key = connectionKey(manifest.connection, env);
    byConnection.set(key, [...(byConnection.get(key) ?? []), manifest]);
  }
  try {
    let structureReads = 0;
    await Promise.all(
      [...byConnection.values()].map(async (group) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (start-up time), as in main.ts
        const { AloomaClient } = require('../client') as typeof import('../client');
        const client = AloomaClient.fromEnv(env, group[0].connection, {
          timeoutMs,
          retry: { retries: 0 },
        });
        const live: LiveInput[] = await client.listInputs();
        structureReads += 1;
        for (const manifest of group) {
          const plan = planManifest(manifest, live);
          stacks[manifest.owner] = { token: driftToken(plan), lines: liveReportLines(plan) };
        }
      }),
    );
    return { ok: true, stacks, structureReads };
  } catch (error) {
    return { ok: false, message: formatError(error).replace('\n', ';') };
  }
}

function connectionKey(connection: ConnectionSpec, env: NodeJS.ProcessEnv): string {
  return JSON.stringify([
    connection.apiUrl ?? env.ALOOMA_API_URL ?? '',
    connection.account ?? env.ALOOMA_ACCOUNT ?? '',
    connection.usernameEnv ?? '',
    connection.passwordEnv ?? '',
    connection.apiKeyEnv ?? '',
  ]);
}

/** Reads all of stdin. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
